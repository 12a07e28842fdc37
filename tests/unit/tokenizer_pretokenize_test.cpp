// The split pattern: each alternative's corner cases worked out by hand, and PCRE2 (an
// independent regex engine) agreeing with the hand-written matcher on the corpus.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/utf8.h"
#include "support/pretokenize_pcre2.h"
#include "tokenizer/nfc.h"
#include "tokenizer/pretokenize.h"
#include "tokenizer/unicode_class.h"
#include "unit/tokenizer_fixture.h"

namespace qe {
namespace {

using Pieces = std::vector<std::string>;

Pieces split(std::string_view text) {
    const auto views = split_qwen2(text);
    return Pieces(views.begin(), views.end());
}

TEST(TokenizerPretokenize, Contractions) {
    EXPECT_EQ(split("it's"), (Pieces{"it", "'s"}));
    EXPECT_EQ(split("WE'LL"), (Pieces{"WE", "'LL"}));
    EXPECT_EQ(split("x'Re"), (Pieces{"x", "'Re"}));
    EXPECT_EQ(split("x'\u017fa"), (Pieces{"x", "'\u017f", "a"}));  // long s folds to s
    EXPECT_EQ(split("x'sa"), (Pieces{"x", "'s", "a"}));            // first alternative wins
    EXPECT_EQ(split("x'xa"), (Pieces{"x", "'xa"}));
    EXPECT_EQ(split(" 's"), (Pieces{" '", "s"}));  // the space takes the apostrophe first
    EXPECT_EQ(split("'"), (Pieces{"'"}));
    EXPECT_EQ(split("x'l"), (Pieces{"x", "'l"}));  // 'l alone is no contraction: \p{L}+ path
}

TEST(TokenizerPretokenize, LettersTakeOnePrefixCharacter) {
    EXPECT_EQ(split("Hello world"), (Pieces{"Hello", " world"}));
    EXPECT_EQ(split("\tword"), (Pieces{"\tword"}));
    EXPECT_EQ(split("$x"), (Pieces{"$x"}));
    EXPECT_EQ(split("\nx"), (Pieces{"\n", "x"}));  // no CR/LF prefix
    EXPECT_EQ(split("1x"), (Pieces{"1", "x"}));    // no number prefix
    EXPECT_EQ(split("\u3000\u4f60\u597d"), (Pieces{"\u3000\u4f60\u597d"}));
}

TEST(TokenizerPretokenize, NumbersAreSingleCharacters) {
    EXPECT_EQ(split("2024"), (Pieces{"2", "0", "2", "4"}));
    EXPECT_EQ(split("\u2460\u00b2"), (Pieces{"\u2460", "\u00b2"}));  // No
}

TEST(TokenizerPretokenize, Punctuation) {
    EXPECT_EQ(split("a, b"), (Pieces{"a", ",", " b"}));
    EXPECT_EQ(split(" ...\n\nx"), (Pieces{" ...\n\n", "x"}));
    EXPECT_EQ(split("  !"), (Pieces{" ", " !"}));
    EXPECT_EQ(split("!\r\n"), (Pieces{"!\r\n"}));
}

TEST(TokenizerPretokenize, Whitespace) {
    EXPECT_EQ(split("a  b"), (Pieces{"a", " ", " b"}));            // \s+(?!\S) leaves one space
    EXPECT_EQ(split("a   "), (Pieces{"a", "   "}));                // at the end: all of it
    EXPECT_EQ(split("a \n  b"), (Pieces{"a", " \n", " ", " b"}));  // \s*[\r\n]+ to the last break
    EXPECT_EQ(split("\n\n\n"), (Pieces{"\n\n\n"}));
    EXPECT_EQ(split("x \r\n\r\n y"), (Pieces{"x", " \r\n\r\n", " y"}));
    EXPECT_EQ(split("a\u00a0\u00a0b"), (Pieces{"a", "\u00a0", "\u00a0b"}));
    EXPECT_EQ(split("a\u200bb"), (Pieces{"a", "\u200bb"}));  // U+200B is not \s
    EXPECT_EQ(split("1 2"), (Pieces{"1", " ", "2"}));        // a lone space before \S: \s+
    EXPECT_EQ(split(""), Pieces{});
}

TEST(TokenizerPretokenize, IllFormedBytesStillAdvance) {
    // Callers validate UTF-8; the matcher must still terminate and cover every byte.
    const std::string bad = "a\xE4\xB8 \x80\xFFz";
    size_t covered = 0;
    for (std::string_view piece : split_qwen2(bad)) covered += piece.size();
    EXPECT_EQ(covered, bad.size());
}

// PCRE2 10.42 knows Unicode 14; leave out strings with letters or numbers that may be newer
// (the two new BMP ranges of Unicode 16, and any outside the BMP).
bool only_unicode14(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        const utf8::Sequence seq = utf8::examine(text.substr(i));
        const char32_t cp = seq.cp;
        const bool letter_or_number =
            (unicode::char_table()(cp) & (unicode::kLetter | unicode::kNumber)) != 0;
        if ((cp >= 0x1C89 && cp <= 0x1C8A) || (cp >= 0xA7CB && cp <= 0xA7DC) ||
            (cp >= 0x10000 && letter_or_number)) {
            return false;
        }
        i += seq.length;
    }
    return true;
}

TEST(TokenizerPretokenize, Pcre2AgreesOnTheCorpus) {
    const Pcre2Splitter pcre2;
    std::string scratch;
    size_t compared = 0;
    for (const auto& line : testing::read_jsonl(testing::golden_path("encode.jsonl"))) {
        const std::string text = line["text"];
        const std::string_view normal = unicode::nfc(text, scratch);
        if (!only_unicode14(normal)) continue;
        std::vector<std::string_view> want;
        pcre2.split(normal, want);
        EXPECT_EQ(split_qwen2(normal), want) << line["name"];
        ++compared;
    }
    EXPECT_GT(compared, 580u);
}

}  // namespace
}  // namespace qe
