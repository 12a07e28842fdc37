// The whole golden corpus (tests/golden/tokenizer/encode.jsonl, made by Hugging Face's tokenizer
// with tests/reference/make_tokenizer_golden.js) must tokenize identically: 100%, both modes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tokenizer/nfc.h"
#include "tokenizer/pretokenize.h"
#include "unit/tokenizer_fixture.h"

namespace qe {
namespace {

using testing::golden_path;
using testing::qwen25;
using testing::read_jsonl;

const std::vector<nlohmann::json>& corpus() {
    static const std::vector<nlohmann::json> lines = read_jsonl(golden_path("encode.jsonl"));
    return lines;
}

// Where two id lists first differ, for a readable failure.
std::string first_difference(const std::vector<int32_t>& got, const std::vector<int32_t>& want) {
    size_t i = 0;
    while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
    auto at = [&](const std::vector<int32_t>& v) {
        return i < v.size()
                   ? std::to_string(v[i]) + " (\"" + std::string(qwen25().token_bytes(v[i])) + "\")"
                   : std::string("end");
    };
    return "at index " + std::to_string(i) + ": got " + at(got) + ", want " + at(want);
}

void check_mode(SpecialTokens mode, const char* field) {
    size_t matched = 0;
    for (const auto& line : corpus()) {
        const std::string text = line["text"];
        const std::vector<int32_t> want = line[field];
        const std::vector<int32_t> got = qwen25().encode(text, mode);
        if (got == want) {
            ++matched;
        } else {
            ADD_FAILURE() << line["name"] << ": " << first_difference(got, want);
        }
    }
    EXPECT_EQ(matched, corpus().size());
}

TEST(TokenizerCorpus, IsLargeEnough) {
    EXPECT_GE(corpus().size(), 400u);
    bool has_long = false, has_empty = false;
    for (const auto& line : corpus()) {
        has_long |= line["text"].get<std::string>().size() >= 100 * 1000;
        has_empty |= line["text"].get<std::string>().empty();
    }
    EXPECT_TRUE(has_long);
    EXPECT_TRUE(has_empty);
}

TEST(TokenizerCorpus, MatchesReferenceWithAddedTokensParsed) {
    check_mode(SpecialTokens::kParse, "ids");
}

TEST(TokenizerCorpus, MatchesReferenceWithEverythingAsText) {
    check_mode(SpecialTokens::kAsText, "ids_plain");
}

TEST(TokenizerCorpus, PiecesMatchReferencePreTokenizer) {
    size_t matched = 0;
    for (const auto& line : corpus()) {
        const std::string text = line["text"];
        std::string scratch;
        const std::vector<std::string_view> got = split_qwen2(unicode::nfc(text, scratch));
        const std::vector<std::string> want = line["pieces"];
        if (std::vector<std::string>(got.begin(), got.end()) == want) {
            ++matched;
            continue;
        }
        size_t i = 0;
        while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
        ADD_FAILURE() << line["name"] << ": piece " << i << " is \""
                      << (i < got.size() ? std::string(got[i]) : "end") << "\", want \""
                      << (i < want.size() ? want[i] : "end") << "\"";
    }
    EXPECT_EQ(matched, corpus().size());
}

// The two modes differ exactly where the text holds an added-token literal.
TEST(TokenizerCorpus, ModesDifferOnlyOnLiterals) {
    for (const auto& line : corpus()) {
        const std::string text = line["text"];
        const bool has_literal = line["ids"] != line["ids_plain"];
        bool found = false;
        for (const char* literal :
             {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>",
              "<|fim_", "<|object_ref", "<|box_", "<|quad_", "<|vision_", "<|image_pad|>",
              "<|video_pad|>", "<|repo_name|>", "<|file_sep|>"}) {
            found |= text.find(literal) != std::string::npos;
        }
        EXPECT_EQ(has_literal, found) << line["name"];
    }
}

}  // namespace
}  // namespace qe
