// Tool calls taken out of a streamed answer: the same content and calls whether the text comes
// whole, byte by byte or in any two pieces; content always before calls; no partial tag leaks.
#include "chat/tool_call_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace qe {
namespace {

struct Split {
    std::string content;
    std::vector<std::string> calls;  // "name arguments"
    bool operator==(const Split&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Split& s) {
    os << "{content '" << s.content << "', calls";
    for (const auto& c : s.calls) os << " [" << c << "]";
    return os << "}";
}

Split feed(const std::vector<std::string>& pieces) {
    ToolCallSplitter splitter;
    Split s;
    auto add = [&](const ToolCallSplitter::Pieces& p) {
        if (!p.content.empty()) {
            EXPECT_TRUE(s.calls.empty()) << "content after a call";
        }
        s.content += p.content;
        for (const auto& c : p.calls) s.calls.push_back(c.name + " " + c.arguments);
    };
    for (const auto& piece : pieces) add(splitter.push(piece));
    add(splitter.finish());
    return s;
}

// The split of `text` fed whole, byte by byte, and cut in two at every position.
Split split_every_way(const std::string& text) {
    const Split whole = feed({text});
    std::vector<std::string> bytes;
    for (char c : text) bytes.emplace_back(1, c);
    EXPECT_EQ(feed(bytes), whole) << "byte by byte";
    for (size_t cut = 0; cut <= text.size(); ++cut)
        EXPECT_EQ(feed({text.substr(0, cut), text.substr(cut)}), whole) << "cut at " << cut;
    return whole;
}

TEST(ToolCallSplitter, PlainTextPasses) {
    EXPECT_EQ(split_every_way("Hello <b>world</b> <tool"), (Split{"Hello <b>world</b> <tool", {}}));
}

TEST(ToolCallSplitter, TextThenCalls) {
    const std::string text =
        "Let me check.\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": "
        "\"Paris\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n"
        "</tool_call>";
    EXPECT_EQ(split_every_way(text),
              (Split{"Let me check.", {R"(get_weather {"city":"Paris"})", "get_time {}"}}));
}

TEST(ToolCallSplitter, XmlFormCall) {
    const std::string text =
        "<tool_call>\n<function=get_weather>\n<parameter=city>\n北京\n</parameter>\n</function>\n"
        "</tool_call>";
    EXPECT_EQ(split_every_way(text), (Split{"", {R"(get_weather {"city":"北京"})"}}));
}

TEST(ToolCallSplitter, TextAfterTheCallsIsDropped) {
    EXPECT_EQ(split_every_way("<tool_call>{\"name\": \"f\"}</tool_call> done <tool_call>oops"
                              "</tool_call>\nbye <tool_ca"),
              (Split{"", {"f {}"}}));
}

TEST(ToolCallSplitter, ABlockThatIsNotACallIsContent) {
    EXPECT_EQ(split_every_way("see <tool_call>not json</tool_call> and then"),
              (Split{"see <tool_call>not json</tool_call> and then", {}}));
    // Cut off by the answer's end before it closed.
    EXPECT_EQ(split_every_way("x\n<tool_call>\n{\"name\": \"f\""),
              (Split{"x\n<tool_call>\n{\"name\": \"f\"", {}}));
}

TEST(ToolCallSplitter, NothingIsHeldOnceCertain) {
    ToolCallSplitter s;
    EXPECT_EQ(s.push("Hi <to").content, "Hi");
    EXPECT_EQ(s.push("y").content, " <toy");
    EXPECT_EQ(s.push(" <tool_call>{\"name\"").content, "");
    const auto p = s.push(": \"f\"}</tool_call>");
    ASSERT_EQ(p.calls.size(), 1u);
    EXPECT_EQ(p.calls[0].name, "f");
}

}  // namespace
}  // namespace qe
