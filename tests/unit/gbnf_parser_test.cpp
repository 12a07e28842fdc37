// The GBNF parser: each construct matches what it should and nothing else, and bad grammars are
// errors with their line and column.
#include <gtest/gtest.h>

#include "core/error.h"
#include "grammar_test_util.h"

namespace {

using qe::testing::gbnf;
using qe::testing::matches;
using qe::testing::prefix;

std::string error_of(const std::string& text) {
    try {
        qe::grammar::parse_gbnf(text);
    } catch (const qe::Error& e) {
        return e.what();
    }
    return "";
}

TEST(GbnfParser, LiteralsAndAlternatives) {
    const auto g = gbnf(R"(root ::= "yes" | "no" | "y\"\n")");
    EXPECT_TRUE(matches(g, "yes"));
    EXPECT_TRUE(matches(g, "no"));
    EXPECT_TRUE(matches(g, "y\"\n"));
    EXPECT_FALSE(matches(g, "ye"));
    EXPECT_TRUE(prefix(g, "ye"));
    EXPECT_FALSE(prefix(g, "yo"));
}

TEST(GbnfParser, CharacterClassesAndNegation) {
    const auto g = gbnf(R"(root ::= [a-c0-9] [^"\\]  )");
    EXPECT_TRUE(matches(g, "a!"));
    EXPECT_TRUE(matches(g, "7é"));  // a negated class takes multi-byte characters whole
    EXPECT_TRUE(prefix(g, "7\xC3"));
    EXPECT_FALSE(matches(g, "7\xC3"));
    EXPECT_FALSE(matches(g, "d!"));
    EXPECT_FALSE(matches(g, "a\""));
    EXPECT_FALSE(prefix(g, "a\xFF"));  // never ill-formed UTF-8
}

TEST(GbnfParser, NonAsciiRangesAreWholeCharacters) {
    const auto g = gbnf("root ::= [α-ω]+ \"→\"");
    EXPECT_TRUE(matches(g, "αβω→"));
    EXPECT_FALSE(matches(g, "αa→"));
    EXPECT_FALSE(matches(g, "Ω→"));
}

TEST(GbnfParser, Repetitions) {
    const auto g = gbnf("root ::= \"a\"* \"b\"+ \"c\"? [0-9]{2,3} \"x\"{2}");
    EXPECT_TRUE(matches(g, "b12xx"));
    EXPECT_TRUE(matches(g, "aaabbc123xx"));
    EXPECT_FALSE(matches(g, "c12xx"));
    EXPECT_FALSE(matches(g, "b1xx"));
    EXPECT_FALSE(matches(g, "b1234xx"));
    EXPECT_FALSE(matches(g, "b12x"));
    const auto open = gbnf("root ::= \"a\"{2,}");
    EXPECT_FALSE(matches(open, "a"));
    EXPECT_TRUE(matches(open, "aaaaa"));
}

TEST(GbnfParser, RulesGroupsCommentsAndLines) {
    const auto g = gbnf(R"(# a list of numbers
root ::= "[" (num ("," num)*)? "]"   # the list
num  ::=
    "-"? [0-9]+
)");
    EXPECT_TRUE(matches(g, "[]"));
    EXPECT_TRUE(matches(g, "[1,-22,3]"));
    EXPECT_FALSE(matches(g, "[1,]"));
}

TEST(GbnfParser, EscapesAndAnyCharacter) {
    const auto g = gbnf(R"(root ::= "\x41\u00e9" . "\t")");
    EXPECT_TRUE(matches(g, "Aéz\t"));  // \u gives a code point, as UTF-8
    EXPECT_TRUE(matches(g, "Aé日\t"));
    EXPECT_FALSE(matches(g, "A\xE9z\t"));
    EXPECT_TRUE(matches(gbnf(R"(root ::= "\xff")"), "\xFF"));  // \x gives the byte itself
}

TEST(GbnfParser, RecursiveRules) {
    const auto g = gbnf(R"g(root ::= "(" root ")" | "")g");
    EXPECT_TRUE(matches(g, "((()))"));
    EXPECT_FALSE(matches(g, "(()"));
}

TEST(GbnfParser, ErrorsSayWhereAndWhat) {
    EXPECT_EQ(error_of("root ::= \"a"), "GBNF 1:12: unterminated literal");
    EXPECT_EQ(error_of("root ::= x\n"), "grammar: rule 'x' is used but not defined");
    EXPECT_EQ(error_of("foo ::= \"a\""), "GBNF: no rule named 'root'");
    EXPECT_EQ(error_of("root ::= \"a\"\nroot ::= \"b\""), "GBNF 2:1: rule 'root' is defined twice");
    EXPECT_EQ(error_of("root ::= [a-"), "GBNF 1:13: unterminated character class");
    EXPECT_EQ(error_of("root ::= \"a\"{3,1}"), "GBNF 1:18: {m,n} with n < m");
    EXPECT_EQ(error_of("root ::= ( \"a\" "), "GBNF 1:16: expected ')'");
    EXPECT_EQ(error_of("root ::= \"\\q\""), "GBNF 1:11: unknown escape '\\q'");
    EXPECT_EQ(error_of("root ::= @"), "GBNF 1:10: unexpected '@'");
    EXPECT_EQ(error_of("root ::= [z-a]"), "GBNF 1:14: range end below its start");
    EXPECT_EQ(error_of(""), "GBNF 1:1: no rules (expected `root ::= ...`)");
    EXPECT_NE(error_of("root ::= \"a\"{99999}").find("larger than"), std::string::npos);
    // Found by the fuzzer: code points that are no characters.
    EXPECT_EQ(error_of("root ::= \"\xF6\x96\x8B\x95\""), "GBNF 1:11: invalid UTF-8");
    EXPECT_EQ(error_of("root ::= \"\xC0\x80\""), "GBNF 1:11: invalid UTF-8");
    EXPECT_EQ(error_of("root ::= \"\\uD800\""),
              "GBNF 1:17: a surrogate code point is not a character");
}

TEST(GbnfParser, LeftRecursionAndEndlessRulesAreRefused) {
    EXPECT_EQ(error_of("root ::= root \"a\" | \"b\""),
              "grammar: rule 'root' is left-recursive (it can reach itself without reading a "
              "byte)");
    EXPECT_EQ(error_of("root ::= \"a\"? root \"b\" | \"c\""),
              "grammar: rule 'root' is left-recursive (it can reach itself without reading a "
              "byte)");
    EXPECT_EQ(error_of("root ::= \"a\" root"),
              "grammar: rule 'root' can never finish (every alternative needs itself again)");
}

TEST(GbnfParser, DeepNestingIsRefused) {
    const std::string deep = "root ::= " + std::string(100, '(') + "\"a\"" + std::string(100, ')');
    EXPECT_NE(error_of(deep).find("nested deeper than"), std::string::npos);
}

}  // namespace
