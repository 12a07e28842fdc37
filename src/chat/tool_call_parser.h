// One tool call as Qwen writes it between `<tool_call>` and `</tool_call>`, read into OpenAI's
// shape (a function name and its arguments as a JSON string). Two forms:
//
// - JSON (Qwen2.5, Qwen3):  {"name": "get_weather", "arguments": {"city": "北京"}}
// - XML-like (Qwen3.5's template):
//     <function=get_weather>
//     <parameter=city>
//     北京
//     </parameter>
//     </function>
//
// In the XML form every value is text. A value becomes JSON (a number, true, an object...) when
// the tool's schema gives the parameter a type other than string and the text parses as JSON;
// without a schema for it, when the text parses as JSON other than a string. Otherwise it stays
// a string. The one newline the template puts on each side of a value is not part of it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace qe {

struct ToolCall {
    std::string name;
    std::string arguments;  // a JSON object, compact, as OpenAI's function.arguments
};

// `body`: the text between the tags. `tools`: the request's tools (OpenAI's array of
// {"type": "function", "function": {"name", "parameters"}}), or null. Nothing when the body is
// neither form, or names no function: the caller keeps such text as content.
std::optional<ToolCall> parse_tool_call(std::string_view body, const nlohmann::ordered_json& tools);

}  // namespace qe
