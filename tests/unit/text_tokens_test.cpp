// The knowledge base's tokenizer (knowledge/text_tokens.h) and the question -> FTS5 expression
// builder (knowledge/fts_query.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "knowledge/fts_query.h"
#include "knowledge/text_tokens.h"

namespace qe::knowledge {
namespace {

std::vector<std::string> texts(std::string_view s, TokenMode mode = TokenMode::kDocument) {
    std::vector<std::string> out;
    for (const TextToken& t : tokenize_text(s, mode)) out.push_back(t.text);
    return out;
}

using V = std::vector<std::string>;

TEST(TextTokens, EnglishWordsAreCaseFolded) {
    EXPECT_EQ(texts("Hello, World! It's Q3-2024."), (V{"hello", "world", "it", "s", "q3", "2024"}));
}

TEST(TextTokens, FullWidthFoldsToAscii) {
    EXPECT_EQ(texts("Ｑ３报告"), (V{"q3", "报告", "告"}));
    EXPECT_EQ(texts("ＡＢＣ１２３"), (V{"abc123"}));
}

TEST(TextTokens, ChineseRunsGivePairsAndTheirLastCharacter) {
    EXPECT_EQ(texts("报销流程"), (V{"报销", "销流", "流程", "程"}));
    EXPECT_EQ(texts("报"), (V{"报"}));
    EXPECT_EQ(texts("报销流程", TokenMode::kQuery), (V{"报销", "销流", "流程"}));
    EXPECT_EQ(texts("报", TokenMode::kQuery), (V{"报"}));
}

TEST(TextTokens, KindsAndByteRanges) {
    const std::vector<TextToken> t = tokenize_text("发票 ok", TokenMode::kDocument);
    ASSERT_EQ(t.size(), 3u);
    EXPECT_EQ(t[0].kind, TextToken::kCjkPair);
    EXPECT_EQ(t[0].begin, 0u);
    EXPECT_EQ(t[0].end, 6u);
    EXPECT_EQ(t[1].kind, TextToken::kCjkChar);
    EXPECT_EQ(t[1].begin, 3u);
    EXPECT_EQ(t[2].kind, TextToken::kWord);
    EXPECT_EQ(t[2].begin, 7u);
}

TEST(TextTokens, PunctuationSplitsChineseRuns) {
    EXPECT_EQ(texts("发票，收据。", TokenMode::kQuery), (V{"发票", "收据"}));
    EXPECT_EQ(texts("用GPU加速", TokenMode::kQuery), (V{"用", "gpu", "加速"}));
}

TEST(TextTokens, ByteOffsetsPointIntoTheSource) {
    const std::string s = "ＡＢ 中文";
    for (const TextToken& t : tokenize_text(s, TokenMode::kDocument)) {
        EXPECT_LE(t.begin, t.end);
        EXPECT_LE(t.end, s.size());
    }
    const std::vector<TextToken> t = tokenize_text(s, TokenMode::kDocument);
    EXPECT_EQ(s.substr(t[0].begin, t[0].end - t[0].begin), "ＡＢ");
}

TEST(TextTokens, KanaAndCompatibilityIdeographs) {
    EXPECT_EQ(texts("カタカナ", TokenMode::kQuery), (V{"カタ", "タカ", "カナ"}));
    // U+F900 (a compatibility ideograph) folds to U+8C48 豈.
    EXPECT_EQ(texts("\xEF\xA4\x80", TokenMode::kQuery), (V{"豈"}));
}

TEST(TextTokens, AccentsComposeAndCaseFold) {
    EXPECT_EQ(texts("Cafe\xCC\x81 CAFÉ"), (V{"café", "café"}));
    EXPECT_EQ(texts("Straße"), (V{"strasse"}));
}

TEST(TextTokens, EmojiAndSymbolsSeparate) {
    EXPECT_EQ(texts("a😀b ★ 中😀文"), (V{"a", "b", "中", "文"}));
    EXPECT_TRUE(texts("😀 ★ ！？ ... \t\n").empty());
    EXPECT_TRUE(texts("").empty());
}

TEST(TextTokens, InvalidUtf8IsASeparator) {
    EXPECT_EQ(texts("ab\xFF"
                    "cd\xE4\xB8"
                    "ef"),
              (V{"ab", "cd", "ef"}));
    EXPECT_EQ(texts("\xE4\xB8\xAD\xC0\x80\xE6\x96\x87", TokenMode::kQuery), (V{"中", "文"}));
}

TEST(TextTokens, SoftHyphenJoins) {
    EXPECT_EQ(texts("co\xC2\xAD"
                    "operate"),
              (V{"cooperate"}));
}

TEST(FtsQuery, QuotesEveryTermAndJoinsWithOr) {
    EXPECT_EQ(fts_match_expression("Q3 revenue"), "\"q3\" OR \"revenue\"");
    EXPECT_EQ(fts_match_expression("报销"), "\"报销\"");
    EXPECT_EQ(fts_match_expression("报"), "\"报\" *");
    EXPECT_EQ(fts_match_expression("用GPU"), "\"用\" * OR \"gpu\"");
}

TEST(FtsQuery, LongChineseRunsAddTheirPhrase) {
    EXPECT_EQ(fts_match_expression("报销流程"), "\"报销\" OR \"销流\" OR \"流程\" OR \"报销流程\"");
}

TEST(FtsQuery, DuplicatesAreDropped) {
    EXPECT_EQ(fts_match_expression("the THE The"), "\"the\"");
}

TEST(FtsQuery, SyntaxInTheQuestionIsOnlyWords) {
    EXPECT_EQ(fts_match_expression("a\" OR \"b"), "\"a\" OR \"or\" OR \"b\"");
    EXPECT_EQ(fts_match_expression("NEAR(a b)"), "\"near\" OR \"a\" OR \"b\"");
    EXPECT_EQ(fts_match_expression("text:secret*"), "\"text\" OR \"secret\"");
    EXPECT_EQ(fts_match_expression("-x ^y +z"), "\"x\" OR \"y\" OR \"z\"");
    EXPECT_EQ(fts_match_expression("* - : \" ( ) {}"), "");
    EXPECT_EQ(fts_match_expression(""), "");
}

TEST(FtsQuery, QuoteDoublesQuotes) {
    EXPECT_EQ(fts_quote("a\"b"), "\"a\"\"b\"");
}

TEST(FtsQuery, TermsAreCapped) {
    std::string many;
    for (int i = 0; i < 500; ++i) many += "w" + std::to_string(i) + " ";
    const std::string e = fts_match_expression(many);
    size_t ors = 0;
    for (size_t p = e.find(" OR "); p != std::string::npos; p = e.find(" OR ", p + 1)) ++ors;
    EXPECT_EQ(ors + 1, kMaxQueryTerms);
}

}  // namespace
}  // namespace qe::knowledge
