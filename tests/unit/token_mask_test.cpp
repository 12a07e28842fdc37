// The token mask on the real Qwen2.5 vocabulary: the trie walk allows exactly the tokens whose
// bytes the matcher accepts (checked token by token), masks are cached per state, and the budget
// makes every generation end with a whole document.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <random>

#include "grammar/document_constraint.h"
#include "grammar/json_schema.h"
#include "grammar/token_mask.h"
#include "grammar_test_util.h"
#include "grammar_vocab.h"

namespace {

using nlohmann::json;
using qe::grammar::DocumentConstraint;
using qe::grammar::Grammar;
using qe::grammar::has_token;
using qe::grammar::Matcher;
using qe::grammar::TokenBits;
using qe::grammar::TokenMasker;

std::shared_ptr<const Grammar> schema(const std::string& text) {
    return std::make_shared<const Grammar>(qe::grammar::compile_json_schema(json::parse(text)));
}

// The mask at `m` against trying every token's bytes on a copy of the matcher.
void expect_mask_equals_brute_force(TokenMasker& masker, const Matcher& m) {
    TokenBits bits;
    masker.allowed(m, TokenMasker::kNoBudget, bits);
    const auto& trie = masker.trie();
    size_t allowed = 0;
    for (int32_t id = 0; id < trie.vocab_size(); ++id) {
        const std::string_view b = trie.token_bytes(id);
        Matcher copy = m;
        const bool want = !b.empty() && copy.accept(b);
        ASSERT_EQ(has_token(bits, id), want) << "token " << id << " '" << b << "'";
        allowed += want;
    }
    EXPECT_GT(allowed, 0u);
}

TEST(TokenMask, TrieWalkEqualsTryingEveryToken) {
    const auto g = schema(R"({"type": "object", "properties": {
        "name": {"type": "string", "maxLength": 5}, "n": {"type": "integer", "minimum": -3},
        "tags": {"type": "array", "items": {"enum": ["a b", "ü"]}}}, "required": ["name"]})");
    TokenMasker masker(g, qe::testing::qwen25_trie());
    Matcher m(g);
    for (const std::string piece : {"", "{", "\"n", "\":", " 1", "2,", " \"name\": \"", "é\\", "n",
                                    "\"", ", \"tags\": [\"", "a"}) {
        ASSERT_TRUE(m.accept(piece)) << piece;
        SCOPED_TRACE(piece);
        expect_mask_equals_brute_force(masker, m);
    }
}

TEST(TokenMask, RepeatedStatesComeFromTheCache) {
    const auto g = schema(R"({"type": "array", "items": {"type": "string"}})");
    TokenMasker masker(g, qe::testing::qwen25_trie());
    Matcher m(g);
    TokenBits bits;
    ASSERT_TRUE(m.accept("[\""));
    masker.allowed(m, TokenMasker::kNoBudget, bits);
    for (const char* text : {"hello", " world", "ab"}) {
        ASSERT_TRUE(m.accept(text));
        masker.allowed(m, TokenMasker::kNoBudget, bits);
    }
    const auto stats = masker.stats();
    EXPECT_EQ(stats.misses, 1u);  // inside the string, the state is the same after each token
    EXPECT_EQ(stats.hits, 3u);
}

TEST(TokenMask, SpecialTokensAreNeverInsideADocument) {
    const auto g = schema(R"({"type": "string"})");
    DocumentConstraint c(std::make_shared<TokenMasker>(g, qe::testing::qwen25_trie()),
                         qe::testing::qwen25_end_ids(), 100);
    const int32_t im_start = qe::testing::qwen25().find_added("<|im_start|>");
    const int32_t im_end = qe::testing::qwen25().find_added("<|im_end|>");
    EXPECT_FALSE(has_token(c.allowed(), im_start));
    EXPECT_FALSE(has_token(c.allowed(), im_end));  // not before the document is complete
    EXPECT_FALSE(c.accept(im_start));
    ASSERT_TRUE(c.accept(qe::testing::qwen25().encode("\"")[0]));
    ASSERT_TRUE(c.accept(qe::testing::qwen25().encode("\"")[0]));
    EXPECT_TRUE(c.complete());
    EXPECT_TRUE(has_token(c.allowed(), im_end));
}

// Random tokens among the allowed ones until the budget ends or an end token is drawn.
std::string random_document(DocumentConstraint& c, std::mt19937& rng, bool& ended) {
    const auto& trie = qe::testing::qwen25_trie();
    const auto ends = qe::testing::qwen25_end_ids();
    std::string text;
    ended = false;
    while (c.remaining() > 0) {
        const TokenBits& bits = c.allowed();
        const std::vector<int32_t> ids = qe::testing::allowed_ids(bits);
        if (ids.empty()) break;
        const bool can_end = has_token(bits, ends[0]);
        const int32_t pick = can_end && rng() % 4 == 0 ? ends[0] : ids[rng() % ids.size()];
        EXPECT_TRUE(c.accept(pick));
        if (pick == ends[0]) {
            ended = true;
            break;
        }
        text += trie->token_bytes(pick);
    }
    return text;
}

TEST(TokenMask, EveryGenerationEndsWithAWholeDocument) {
    const auto g = schema(R"({"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"}, "items": {"type": "array", "items": {
        "type": "object", "properties": {"x": {"type": "number"}, "s": {"type": "string"}},
        "required": ["x", "s"]}, "minItems": 2}}, "required": ["id", "items"]})");
    auto masker = std::make_shared<TokenMasker>(g, qe::testing::qwen25_trie());
    const uint32_t least = Matcher(g).distance();
    std::mt19937 rng(7);
    for (uint32_t budget : {least, least + 1, least + 5, least + 40, 300u}) {
        for (int run = 0; run < 3; ++run) {
            DocumentConstraint c(masker, qe::testing::qwen25_end_ids(), budget);
            bool ended = false;
            const std::string text = random_document(c, rng, ended);
            EXPECT_TRUE(c.complete()) << budget << ": " << text;
            EXPECT_TRUE(qe::testing::matches(g, text)) << text;
            EXPECT_NO_THROW((void)json::parse(text)) << text;
        }
    }
}

TEST(TokenMask, ABudgetBelowTheMinimumEndsUnfinishedWithoutHanging) {
    const auto g = schema(R"({"type": "string", "minLength": 50})");
    DocumentConstraint c(std::make_shared<TokenMasker>(g, qe::testing::qwen25_trie()),
                         qe::testing::qwen25_end_ids(), 5);
    std::mt19937 rng(1);
    bool ended = false;
    random_document(c, rng, ended);
    EXPECT_FALSE(c.complete());
    EXPECT_EQ(c.remaining(), 0u);
}

TEST(TokenMask, GbnfGrammarsUseTheSameMask) {
    const auto g = qe::testing::gbnf(R"(root ::= "answer: " ("yes" | "no") "!")");
    auto masker = std::make_shared<TokenMasker>(g, qe::testing::qwen25_trie());
    std::mt19937 rng(3);
    for (int run = 0; run < 5; ++run) {
        DocumentConstraint c(masker, qe::testing::qwen25_end_ids(), 20);
        bool ended = false;
        const std::string text = random_document(c, rng, ended);
        EXPECT_TRUE(text == "answer: yes!" || text == "answer: no!") << text;
    }
}

TEST(TokenMask, RewindRestoresTheMask) {
    const auto g = schema(R"({"enum": ["alpha", "beta"]})");
    DocumentConstraint c(std::make_shared<TokenMasker>(g, qe::testing::qwen25_trie()),
                         qe::testing::qwen25_end_ids(), 20);
    const TokenBits before = c.allowed();
    for (int32_t id : qe::testing::qwen25().encode("\"beta")) ASSERT_TRUE(c.accept(id));
    c.rewind(qe::testing::qwen25().encode("\"beta").size());
    EXPECT_EQ(c.allowed(), before);
    EXPECT_EQ(c.remaining(), 20u);
}

}  // namespace

namespace {

TEST(TokenMask, ThinkingIsFreeUntilTheCloseTokenAndForcedNearTheEnd) {
    const auto g = schema(R"({"enum": ["alpha", "beta"]})");  // at least 6 bytes: "beta"
    auto masker = std::make_shared<TokenMasker>(g, qe::testing::qwen25_trie());
    // Qwen2.5 has no </think>: any added token serves as the close token here.
    const int32_t close = qe::testing::qwen25().find_added("<tool_call>");
    ASSERT_GE(close, 0);
    DocumentConstraint c(masker, qe::testing::qwen25_end_ids(), 10, close);
    const int32_t word = qe::testing::qwen25().encode("hmm")[0];
    EXPECT_TRUE(c.waiting());
    EXPECT_TRUE(has_token(c.allowed(), word));  // anything while thinking
    EXPECT_TRUE(c.accept(word));
    EXPECT_TRUE(c.accept(word));
    EXPECT_TRUE(c.accept(word));
    // 7 tokens left, 6 bytes of document at least: </think> now, or never finish.
    EXPECT_FALSE(has_token(c.allowed(), word));
    EXPECT_TRUE(has_token(c.allowed(), close));
    EXPECT_TRUE(c.accept(close));
    EXPECT_FALSE(c.waiting());
    EXPECT_FALSE(has_token(c.allowed(), word));
    EXPECT_TRUE(c.accept(qe::testing::qwen25().encode("\"")[0]));
    // Undo the quote and </think>: thinking again.
    c.rewind(2);
    EXPECT_TRUE(c.waiting());
    EXPECT_EQ(c.remaining(), 7u);
}

}  // namespace
