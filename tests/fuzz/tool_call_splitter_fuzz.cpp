// Any bytes as a streamed answer with tool calls, cut into pieces where the first byte says: the
// splitter and the parser never crash, the content and calls do not depend on how the text was
// cut, content never follows a call, and every call's arguments are a string.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "chat/tool_call_splitter.h"

namespace {

struct Split {
    std::string content;
    std::string calls;  // names and arguments, joined
};

// Gives the parser a schema to follow for parameters named "n" and "s".
const nlohmann::ordered_json& tools() {
    static const auto t = nlohmann::ordered_json::parse(R"([{"type": "function", "function":
        {"name": "f", "parameters": {"type": "object", "properties":
        {"n": {"type": "integer"}, "s": {"type": "string"}}}}}])");
    return t;
}

Split run(std::string_view text, size_t piece) {
    qe::ToolCallSplitter s(tools());
    Split out;
    auto add = [&](const qe::ToolCallSplitter::Pieces& p) {
        if (!p.content.empty() && !out.calls.empty()) __builtin_trap();
        out.content += p.content;
        for (const auto& c : p.calls) {
            if (c.name.empty()) __builtin_trap();
            out.calls += c.name + '\0' + c.arguments + '\0';
        }
    };
    for (size_t at = 0; at < text.size(); at += piece) add(s.push(text.substr(at, piece)));
    add(s.finish());
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const size_t piece = 1 + data[0] % 13;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    const Split whole = run(text, text.size() + 1);
    const Split cut = run(text, piece);
    if (whole.content != cut.content || whole.calls != cut.calls) __builtin_trap();
    return 0;
}
