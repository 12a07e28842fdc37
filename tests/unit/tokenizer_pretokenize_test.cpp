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

// Qwen3.5's pattern (pre-tokenizer "qwen35") against llama.cpp's unicode_regex_split with the
// regexes of its LLAMA_VOCAB_PRE_TYPE_QWEN35 and _QWEN2, on NFC text with combining marks: the
// pieces it gave, for both patterns (so the test also shows where they part).
struct MarkCase {
    const char* name;
    std::string text;
    Pieces qwen35, qwen2;
};

const MarkCase kMarkCases[] = {
    {"Devanagari",
     "\u0928\u092E\u0938\u094D\u0924\u0947 \u0926\u0941\u0928\u093F\u092F\u093E",
     {"\u0928\u092E\u0938\u094D\u0924\u0947", " \u0926\u0941\u0928\u093F\u092F\u093E"},
     {"\u0928\u092E\u0938", "\u094D\u0924", "\u0947", " \u0926", "\u0941\u0928", "\u093F\u092F",
      "\u093E"}},
    {"Thai",
     "\u0E2A\u0E27\u0E31\u0E2A\u0E14\u0E35\u0E04\u0E23\u0E31\u0E1A \u0E17\u0E14\u0E2A\u0E2D\u0E1A",
     {"\u0E2A\u0E27\u0E31\u0E2A\u0E14\u0E35\u0E04\u0E23\u0E31\u0E1A",
      " \u0E17\u0E14\u0E2A\u0E2D\u0E1A"},
     {"\u0E2A\u0E27", "\u0E31\u0E2A\u0E14", "\u0E35\u0E04\u0E23", "\u0E31\u0E1A",
      " \u0E17\u0E14\u0E2A\u0E2D\u0E1A"}},
    {"Hebrew with points",
     "\u05E9\u05B8\u05C1\u05DC\u05D5\u05B9\u05DD \u05E2\u05B2\u05DC\u05B5\u05D9\u05DB\u05B6\u05DD",
     {"\u05E9\u05B8\u05C1\u05DC\u05D5\u05B9\u05DD",
      " \u05E2\u05B2\u05DC\u05B5\u05D9\u05DB\u05B6\u05DD"},
     {"\u05E9", "\u05B8\u05C1", "\u05DC\u05D5", "\u05B9\u05DD", " \u05E2", "\u05B2\u05DC",
      "\u05B5\u05D9\u05DB", "\u05B6\u05DD"}},
    {"Arabic with harakat",
     "\u0645\u064E\u0631\u0652\u062D\u064E\u0628\u064B\u0627 \u0628\u0650\u0643\u064F\u0645\u0652",
     {"\u0645\u064E\u0631\u0652\u062D\u064E\u0628\u064B\u0627",
      " \u0628\u0650\u0643\u064F\u0645\u0652"},
     {"\u0645", "\u064E\u0631", "\u0652\u062D", "\u064E\u0628", "\u064B\u0627", " \u0628",
      "\u0650\u0643", "\u064F\u0645", "\u0652"}},
    {"Zalgo",
     "Z\u0324\u0354\u0367\u0311\u0313\u00E4\u0356\u032D\u0308\u0307l\u036E\u0312\u036B\u01E7\u0317"
     "\u035A\u031Ao\u0319\u0314\u036E\u0307\u0350\u0307 text",
     {"Z\u0324\u0354\u0367\u0311\u0313\u00E4\u0356\u032D\u0308\u0307l\u036E\u0312\u036B\u01E7\u0317"
      "\u035A\u031Ao\u0319\u0314\u036E\u0307\u0350\u0307",
      " text"},
     {"Z", "\u0324\u0354\u0367\u0311\u0313", "\u00E4", "\u0356\u032D\u0308\u0307", "l",
      "\u036E\u0312\u036B", "\u01E7", "\u0317\u035A\u031A", "o",
      "\u0319\u0314\u036E\u0307\u0350\u0307", " text"}},
    {"marks after a space, a digit, punctuation; an enclosing mark",
     "a \u0301b 1\u03012 !\u0301? x\u20DDy",
     {"a", " \u0301b", " ", "1", "\u0301", "2", " !", "\u0301", "?", " x\u20DDy"},
     {"a", " \u0301", "b", " ", "1", "\u0301", "2", " !\u0301?", " x", "\u20DDy"}},
    {"a mark at the start, alone, before a letter",
     "\u0301abc \u0308 \u0308x",
     {"\u0301abc", " \u0308", " \u0308x"},
     {"\u0301abc", " \u0308", " \u0308", "x"}},
    {"emoji with a variation selector and a skin tone",
     "\u2764\uFE0F ok \U0001F44D\U0001F3FD done",
     {"\u2764\uFE0F", " ok", " \U0001F44D\U0001F3FD", " done"},
     {"\u2764\uFE0F", " ok", " \U0001F44D\U0001F3FD", " done"}},
    {"Chinese (no marks: the same pieces)",
     "Hello! \u4F60\u597D\uFF0C\u8BF7\u5199\u4E00\u9996\u8BD7\u3002",
     {"Hello", "!", " \u4F60\u597D", "\uFF0C\u8BF7\u5199\u4E00\u9996\u8BD7", "\u3002"},
     {"Hello", "!", " \u4F60\u597D", "\uFF0C\u8BF7\u5199\u4E00\u9996\u8BD7", "\u3002"}},
};

TEST(TokenizerPretokenize, Qwen35JoinsMarksToLettersAsLlamaCppDoes) {
    for (const MarkCase& c : kMarkCases) {
        SCOPED_TRACE(c.name);
        const auto q35 = split_qwen2(c.text, SplitPattern::Qwen35);
        EXPECT_EQ(Pieces(q35.begin(), q35.end()), c.qwen35);
        EXPECT_EQ(split(c.text), c.qwen2);
    }
}

}  // namespace
}  // namespace qe
