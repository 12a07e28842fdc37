// Decoding: the reference's decodings (tests/golden/tokenizer/decode.jsonl), and the streaming
// decoder, which must never release part of a character and must end up with the same text.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/utf8.h"
#include "tokenizer/nfc.h"
#include "tokenizer/stream_decoder.h"
#include "unit/tokenizer_fixture.h"

namespace qe {
namespace {

using testing::golden_path;
using testing::qwen25;
using testing::read_jsonl;

const std::string kFFFD(utf8::kReplacement);

// The id of the token made of the single byte b.
int32_t byte_token(unsigned char b) {
    static const std::vector<int32_t> ids = [] {
        std::vector<int32_t> out(256, -1);
        const Vocab& v = qwen25().vocab();
        for (int32_t id = 0; id < v.size(); ++id) {
            if (v.kinds[size_t(id)] == TokenKind::kNormal && v.tokens[size_t(id)].size() == 1) {
                out[static_cast<unsigned char>(v.tokens[size_t(id)][0])] = id;
            }
        }
        return out;
    }();
    return ids[b];
}

std::vector<int32_t> byte_tokens(std::string_view bytes) {
    std::vector<int32_t> ids;
    for (unsigned char b : bytes) ids.push_back(byte_token(b));
    return ids;
}

std::string stream(const std::vector<int32_t>& ids, bool skip_control) {
    StreamDecoder decoder(qwen25(), skip_control);
    std::string out;
    for (int32_t id : ids) {
        const std::string piece = decoder.push(id);
        EXPECT_EQ(utf8::find_invalid(piece), std::string_view::npos) << "broken UTF-8 released";
        out += piece;
    }
    return out + decoder.finish();
}

TEST(TokenizerDecode, EveryByteHasItsOwnToken) {
    for (int b = 0; b < 256; ++b) EXPECT_GE(byte_token(uint8_t(b)), 0) << b;
}

TEST(TokenizerDecode, MatchesReference) {
    const auto lines = read_jsonl(golden_path("decode.jsonl"));
    ASSERT_GE(lines.size(), 100u);
    for (const auto& line : lines) {
        const std::vector<int32_t> ids = line["ids"];
        const std::string text = line["text"], text_skip = line["text_skip"];
        EXPECT_EQ(qwen25().decode(ids, false), text) << line["ids"];
        EXPECT_EQ(qwen25().decode(ids, true), text_skip) << line["ids"];
        EXPECT_EQ(stream(ids, false), text) << line["ids"];
        EXPECT_EQ(stream(ids, true), text_skip) << line["ids"];
    }
}

TEST(TokenizerDecode, RoundTripsTheCorpus) {
    std::string scratch;
    for (const auto& line : read_jsonl(golden_path("encode.jsonl"))) {
        const std::string text = line["text"];
        const std::string normal(unicode::nfc(text, scratch));
        EXPECT_EQ(qwen25().decode(line["ids"].get<std::vector<int32_t>>()), normal) << line["name"];
        EXPECT_EQ(qwen25().decode(line["ids_plain"].get<std::vector<int32_t>>()), normal)
            << line["name"];
    }
}

// A character spread over 2, 3 and 4 tokens appears only with its last byte.
TEST(TokenizerDecode, StreamHoldsBackSplitCharacters) {
    for (const std::string ch : {"\u00e9", "\u4e2d", "\U0001F600"}) {
        StreamDecoder decoder(qwen25(), true);
        const std::vector<int32_t> ids = byte_tokens(ch);
        ASSERT_EQ(ids.size(), ch.size());
        for (size_t i = 0; i + 1 < ids.size(); ++i) {
            EXPECT_EQ(decoder.push(ids[i]), "") << "byte " << i << " of " << ch;
            EXPECT_EQ(decoder.pending(), i + 1);
        }
        EXPECT_EQ(decoder.push(ids.back()), ch);
        EXPECT_EQ(decoder.pending(), 0u);
        EXPECT_EQ(decoder.finish(), "");
    }
}

TEST(TokenizerDecode, StreamReleasesWholeCharactersAroundASplitOne) {
    StreamDecoder decoder(qwen25(), true);
    // "ab" then the first two bytes of 中, then its last byte with "c".
    const int32_t ab = qwen25().encode("ab").at(0);
    EXPECT_EQ(decoder.push(ab), "ab");
    EXPECT_EQ(decoder.push(byte_token(0xE4)), "");
    EXPECT_EQ(decoder.push(byte_token(0xB8)), "");
    EXPECT_EQ(decoder.push(byte_token(0xAD)), "\u4e2d");
    const std::vector<int32_t> c = qwen25().encode("c");
    EXPECT_EQ(decoder.push(c.at(0)), "c");
}

TEST(TokenizerDecode, StreamReplacesBytesThatCannotFormACharacter) {
    StreamDecoder decoder(qwen25(), true);
    EXPECT_EQ(decoder.push(byte_token(0x80)), kFFFD);  // a stray continuation byte: at once
    EXPECT_EQ(decoder.push(byte_token(0xE4)), "");
    EXPECT_EQ(decoder.push(qwen25().encode("A").at(0)), kFFFD + "A");  // E4 cut short
    EXPECT_EQ(decoder.push(byte_token(0xF0)), "");
    EXPECT_EQ(decoder.push(byte_token(0x9F)), "");
    EXPECT_EQ(decoder.finish(), kFFFD);  // cut off by the end
    EXPECT_EQ(decoder.pending(), 0u);
    EXPECT_EQ(decoder.push(byte_token(0xC3)), "");  // reusable after finish()
    EXPECT_EQ(decoder.push(byte_token(0xA9)), "\u00e9");
}

TEST(TokenizerDecode, ControlTokensSkippedOnRequest) {
    const int32_t im_end = qwen25().find_added("<|im_end|>");
    const int32_t tool_call = qwen25().find_added("<tool_call>");
    ASSERT_EQ(im_end, 151645);
    ASSERT_EQ(tool_call, 151657);
    EXPECT_EQ(qwen25().kind(im_end), TokenKind::kControl);
    EXPECT_EQ(qwen25().kind(tool_call), TokenKind::kUserDefined);
    const std::vector<int32_t> ids = {byte_token(0xE4), im_end, byte_token(0xB8), byte_token(0xAD),
                                      tool_call};
    EXPECT_EQ(qwen25().decode(ids, true), "\u4e2d<tool_call>");
    EXPECT_EQ(qwen25().decode(ids, false), kFFFD + "<|im_end|>" + kFFFD + kFFFD + "<tool_call>");
    EXPECT_EQ(stream(ids, true), "\u4e2d<tool_call>");
    EXPECT_EQ(stream(ids, false), qwen25().decode(ids, false));
}

TEST(TokenizerDecode, IdsOutsideTheVocabularyAreErrors) {
    const std::vector<int32_t> bad = {9707, qwen25().size()};
    EXPECT_THROW(qwen25().decode(bad), Error);
    EXPECT_THROW(qwen25().decode(std::vector<int32_t>{-1}), Error);
    StreamDecoder decoder(qwen25(), false);
    EXPECT_EQ(decoder.push(byte_token(0xE4)), "");
    EXPECT_THROW(decoder.push(qwen25().size()), Error);
    EXPECT_EQ(decoder.pending(), 1u);  // unchanged by the failed push
    EXPECT_EQ(decoder.push(byte_token(0xB8)), "");
    EXPECT_EQ(decoder.push(byte_token(0xAD)), "\u4e2d");
}

// Random mixes of byte tokens, ordinary tokens and added tokens: streaming always equals
// decoding the whole sequence.
TEST(TokenizerDecode, StreamEqualsDecodeOnRandomSequences) {
    std::mt19937 rng(1234);
    for (int round = 0; round < 300; ++round) {
        std::vector<int32_t> ids(rng() % 30);
        for (int32_t& id : ids) {
            const uint32_t r = rng() % 10;
            id = r < 6   ? byte_token(uint8_t(0x80 + rng() % 128))
                 : r < 9 ? int32_t(rng() % 151643)
                         : int32_t(151643 + rng() % 22);
        }
        for (bool skip : {false, true}) EXPECT_EQ(stream(ids, skip), qwen25().decode(ids, skip));
    }
}

}  // namespace
}  // namespace qe
