// The matcher: accepting and refusing byte by byte, copies and rewinds that restore exactly,
// and the fewest bytes to finish; the UTF-8 range compiler against a direct encoding.
#include <gtest/gtest.h>

#include "core/error.h"
#include "grammar/utf8_ranges.h"
#include "grammar_test_util.h"

namespace {

using qe::grammar::Matcher;
using qe::testing::gbnf;

TEST(GrammarMatcher, RefusedBytesChangeNothing) {
    Matcher m(gbnf(R"(root ::= "ab" "c"*)"));
    EXPECT_FALSE(m.accept("ax"));
    EXPECT_TRUE(m.accept("a"));
    EXPECT_FALSE(m.accepting());
    EXPECT_FALSE(m.accept("bd"));
    EXPECT_TRUE(m.accept("b"));
    EXPECT_TRUE(m.accepting());
    EXPECT_TRUE(m.can_continue());
    EXPECT_TRUE(m.accept("ccc"));
    EXPECT_TRUE(m.accepting());
}

TEST(GrammarMatcher, RewindRestoresEarlierStates) {
    Matcher m(gbnf(R"(root ::= "{" [a-z]* "}")"));
    ASSERT_TRUE(m.accept("{"));
    const Matcher copy = m;
    ASSERT_TRUE(m.accept("ab"));
    ASSERT_TRUE(m.accept("c}"));
    EXPECT_TRUE(m.accepting());
    EXPECT_EQ(m.accepted_count(), 3u);
    m.rewind(2);
    EXPECT_FALSE(m.accepting());
    EXPECT_EQ(m.distance(), 1u);
    EXPECT_TRUE(m.accept("x}"));
    EXPECT_TRUE(m.accepting());
    // The copy went its own way.
    Matcher other = copy;
    EXPECT_FALSE(other.accept("}}"));
    EXPECT_TRUE(other.accept("}"));
    EXPECT_TRUE(other.accepting());
    EXPECT_FALSE(other.can_continue());
}

TEST(GrammarMatcher, DistanceIsTheFewestBytesToFinish) {
    Matcher m(gbnf(R"(root ::= "[" item ("," item)* "]"
item ::= "null" | [0-9]{2,4}
)"));
    EXPECT_EQ(m.distance(), 4u);  // [00]
    ASSERT_TRUE(m.accept("[n"));
    EXPECT_EQ(m.distance(), 4u);  // ull]
    ASSERT_TRUE(m.accept("ull,1"));
    EXPECT_EQ(m.distance(), 2u);  // 0]
    ASSERT_TRUE(m.accept("23"));
    EXPECT_EQ(m.distance(), 1u);
    ASSERT_TRUE(m.accept("]"));
    EXPECT_EQ(m.distance(), 0u);
}

TEST(GrammarMatcher, RightRecursionKeepsTheStackFlat) {
    Matcher m(gbnf(R"(root ::= "\"" [a-z]* "\"")"));
    ASSERT_TRUE(m.accept("\""));
    const size_t frames = m.stacks().size();
    ASSERT_TRUE(m.accept(std::string(1000, 'a')));
    // A handful of frames per byte, none kept per repetition below the top.
    for (int32_t top : m.tops()) {
        int depth = 0;
        for (int32_t f = top; f >= 0; f = m.stacks().frame(f).parent) ++depth;
        EXPECT_LE(depth, 3);
    }
    // Equal frames are made once: reading more of the string adds none.
    EXPECT_EQ(m.stacks().size(), frames);
}

// Many ways to cut the same text (item* of items of 2-8 characters) merge into few stacks
// instead of one per way (found by the fuzzer as a timeout).
TEST(GrammarMatcher, AmbiguousSplitsMerge) {
    Matcher m(gbnf("root ::= item (\",\" item*)\nitem ::= [^,\\n]{2,8}"));
    ASSERT_TRUE(m.accept("ab,"));
    ASSERT_TRUE(m.accept(std::string(2000, 'x')));
    EXPECT_TRUE(m.accepting());
    EXPECT_LE(m.tops().size(), 128u);  // 8 counts x the UTF-8 lengths, whatever the text length
}

// A grammar that keeps ever more parses alive is an error, not an ever slower step.
TEST(GrammarMatcher, TooManyParsesIsAnError) {
    Matcher m(gbnf(R"g(root ::= [a-z]+ root ")" | [a-z]+ root "]" | [a-z]+)g"));
    try {
        for (int i = 0; i < 10000; ++i) m.accept("a");
        FAIL() << "no error after 10000 bytes (" << m.tops().size() << " parses)";
    } catch (const qe::Error& e) {
        EXPECT_NE(std::string(e.what()).find("too ambiguous"), std::string::npos);
    }
}

// Every code point of a set of ranges, and no other, encodes to a byte string the alternatives
// match.
TEST(Utf8Ranges, MatchExactlyTheEncodingsOfTheRanges) {
    const std::vector<qe::grammar::CodePointRange> ranges = {
        {0x41, 0x5A}, {0x7F, 0x801}, {0xFFF0, 0x1000F}, {0xD7F0, 0xE010}, {0x10FFF0, 0x10FFFF}};
    const auto alts = qe::grammar::utf8_alternatives(ranges);
    auto in_alts = [&](const std::string& bytes) {
        for (const auto& alt : alts) {
            if (alt.size() != bytes.size()) continue;
            bool ok = true;
            for (size_t i = 0; i < alt.size() && ok; ++i) ok = alt[i].has(uint8_t(bytes[i]));
            if (ok) return true;
        }
        return false;
    };
    auto encode = [](uint32_t cp) {
        std::string s;
        if (cp < 0x80) {
            s += char(cp);
        } else if (cp < 0x800) {
            s += char(0xC0 | (cp >> 6));
            s += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            s += char(0xE0 | (cp >> 12));
            s += char(0x80 | ((cp >> 6) & 0x3F));
            s += char(0x80 | (cp & 0x3F));
        } else {
            s += char(0xF0 | (cp >> 18));
            s += char(0x80 | ((cp >> 12) & 0x3F));
            s += char(0x80 | ((cp >> 6) & 0x3F));
            s += char(0x80 | (cp & 0x3F));
        }
        return s;
    };
    for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
        bool want = false;
        for (auto [lo, hi] : ranges) want |= cp >= lo && cp <= hi;
        if (cp >= 0xD800 && cp <= 0xDFFF) want = false;
        ASSERT_EQ(in_alts(encode(cp)), want) << std::hex << cp;
    }
}

TEST(Utf8Ranges, ComplementLeavesOutTheRangesAndSurrogates) {
    const auto c = qe::grammar::complement({{0x22, 0x22}, {0x5C, 0x5C}});
    const std::vector<qe::grammar::CodePointRange> want = {
        {0, 0x21}, {0x23, 0x5B}, {0x5D, 0xD7FF}, {0xE000, 0x10FFFF}};
    EXPECT_EQ(c, want);
}

}  // namespace
