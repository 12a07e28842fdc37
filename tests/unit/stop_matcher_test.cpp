#include "chat/stop_matcher.h"

#include <gtest/gtest.h>

namespace qe {
namespace {

// Feeds pieces one by one and returns everything emitted, and whether it stopped.
std::pair<std::string, bool> run(StopMatcher& m, const std::vector<std::string>& pieces) {
    std::string out;
    for (const auto& p : pieces) {
        auto r = m.push(p);
        out += r.emit;
        if (r.stopped) return {out, true};
    }
    return {out + m.flush(), false};
}

TEST(StopMatcher, StopInsideOnePiece) {
    StopMatcher m({"END"});
    EXPECT_EQ(run(m, {"hello END world"}), std::make_pair(std::string("hello "), true));
}

TEST(StopMatcher, StopSpanningPiecesIsNeverShownInPart) {
    StopMatcher m({"<stop>"});
    std::string shown;
    for (const char* p : {"abc<", "st", "op>tail"}) {
        auto r = m.push(p);
        shown += r.emit;
        EXPECT_EQ(shown.find('<'), std::string::npos) << "partial stop string leaked";
        if (r.stopped) break;
    }
    EXPECT_EQ(shown, "abc");
}

TEST(StopMatcher, FalseStartIsReleased) {
    StopMatcher m({"\n\nUser:"});
    auto [text, stopped] = run(m, {"line\n", "\nUs", "ually fine"});
    EXPECT_FALSE(stopped);
    EXPECT_EQ(text, "line\n\nUsually fine");
}

TEST(StopMatcher, EarliestOfSeveralStopsWins) {
    StopMatcher m({"BBB", "A"});
    EXPECT_EQ(run(m, {"xxBBBxA"}).first, "xx");
}

TEST(StopMatcher, HeldTailIsFlushedAtTheEnd) {
    StopMatcher m({"###"});
    auto r = m.push("text ##");
    EXPECT_EQ(r.emit, "text ");
    EXPECT_EQ(m.flush(), "##");
}

TEST(StopMatcher, MultiByteStopStrings) {
    StopMatcher m({"。\n"});
    EXPECT_EQ(run(m, {"你好", "。", "\n后面"}), std::make_pair(std::string("你好"), true));
}

TEST(StopMatcher, NoStopsPassesEverythingThrough) {
    StopMatcher m({});
    EXPECT_EQ(m.push("abc").emit, "abc");
    EXPECT_EQ(m.flush(), "");
}

}  // namespace
}  // namespace qe
