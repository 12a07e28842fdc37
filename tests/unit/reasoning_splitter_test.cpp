// The thinking split from the answer: the same result whether the text comes whole, byte by
// byte or in any two pieces (tags across token boundaries), and reasoning always before content.
#include "chat/reasoning_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace qe {
namespace {

struct Split {
    std::string reasoning, content;
    bool operator==(const Split&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Split& s) {
    return os << "{reasoning '" << s.reasoning << "', content '" << s.content << "'}";
}

// Feeds `pieces` and checks that no reasoning follows content.
Split feed(const std::vector<std::string>& pieces, bool in_thinking) {
    ReasoningSplitter splitter(in_thinking);
    Split s;
    auto add = [&](const ReasoningSplitter::Pieces& p) {
        if (!p.reasoning.empty()) {
            EXPECT_TRUE(s.content.empty()) << "reasoning after content";
        }
        s.reasoning += p.reasoning;
        s.content += p.content;
    };
    for (const auto& piece : pieces) add(splitter.push(piece));
    add(splitter.finish());
    return s;
}

// The split of `text` whole, byte by byte, and cut in two at every place, all equal.
Split split(const std::string& text, bool in_thinking = false) {
    const Split whole = feed({text}, in_thinking);
    std::vector<std::string> bytes;
    for (char c : text) bytes.emplace_back(1, c);
    EXPECT_EQ(feed(bytes, in_thinking), whole) << "byte by byte: " << text;
    for (size_t cut = 1; cut < text.size(); ++cut)
        EXPECT_EQ(feed({text.substr(0, cut), text.substr(cut)}, in_thinking), whole)
            << "cut at " << cut << ": " << text;
    return whole;
}

TEST(ReasoningSplitter, ThinkBlockThenAnswer) {
    EXPECT_EQ(split("<think>\nLet me see: 2+2.\n</think>\n\nIt is 4."),
              (Split{"Let me see: 2+2.", "It is 4."}));
}

TEST(ReasoningSplitter, TagsAsTheirOwnPieces) {
    // As Qwen3 sends them: <think> and </think> are single added tokens.
    EXPECT_EQ(feed({"<think>", "\n", "嗯", "，好", "\n", "</think>", "\n\n", "你好"}, false),
              (Split{"嗯，好", "你好"}));
}

TEST(ReasoningSplitter, NoThinkingIsAllContent) {
    EXPECT_EQ(split("  Hello <b> there"), (Split{"", "  Hello <b> there"}));
    EXPECT_EQ(split("<thin"), (Split{"", "<thin"}));  // a partial tag at the end is text
    EXPECT_EQ(split("  \n"), (Split{"", "  \n"}));
}

TEST(ReasoningSplitter, AThinkTagInsideTheContentIsContent) {
    EXPECT_EQ(split("Use <think>tags</think> like this"),
              (Split{"", "Use <think>tags</think> like this"}));
}

TEST(ReasoningSplitter, EmptyThinkBlockGivesNoReasoning) {
    // Qwen3 with enable_thinking=false may still write the empty block itself.
    EXPECT_EQ(split("<think>\n\n</think>\n\nHi"), (Split{"", "Hi"}));
}

TEST(ReasoningSplitter, StartingInsideTheThinking) {
    // The prompt ended with "<think>\n": the answer holds only the closing tag.
    EXPECT_EQ(split("I should greet.\n</think>\n\nHello!", true),
              (Split{"I should greet.", "Hello!"}));
    EXPECT_EQ(split("</think>Hello!", true), (Split{"", "Hello!"}));
}

TEST(ReasoningSplitter, AnswerCutOffWhileThinking) {
    EXPECT_EQ(split("<think>\nstill going </thi"), (Split{"still going </thi", ""}));
    EXPECT_EQ(split("partial  ", true), (Split{"partial", ""}));
}

TEST(ReasoningSplitter, WhitespaceInsideTheThinkingIsKept) {
    EXPECT_EQ(split("<think> a \n b\t</think> c"), (Split{"a \n b", "c"}));
}

TEST(ReasoningSplitter, ASecondBlockRightAfterTheFirstIsThinkingToo) {
    EXPECT_EQ(split("<think>one</think>\n<think>two</think>\n\nanswer"),
              (Split{"onetwo", "answer"}));
}

TEST(ReasoningSplitter, OnlyWhitespaceAfterTheThinking) {
    EXPECT_EQ(split("<think>x</think>\n\n"), (Split{"x", ""}));
}

TEST(ReasoningSplitter, PromptOpensThinking) {
    EXPECT_TRUE(prompt_opens_thinking("<|im_start|>assistant\n<think>\n"));
    EXPECT_TRUE(prompt_opens_thinking("<think>"));
    EXPECT_FALSE(prompt_opens_thinking("<|im_start|>assistant\n<think>\n\n</think>\n\n"));
    EXPECT_FALSE(prompt_opens_thinking("<|im_start|>assistant\n"));
    EXPECT_FALSE(prompt_opens_thinking(""));
}

}  // namespace
}  // namespace qe
