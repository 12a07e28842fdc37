// The tool fields of a chat request (tools, tool_choice, parallel_tool_calls), checked: a bad one
// throws ApiException naming the field, e.g. "tools[1].function.name".
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace qe {

struct ToolRequest {
    // OpenAI's tools: [{"type": "function", "function": {"name", "description"?, "parameters"?}}].
    // `parameters`, when given, is a JSON schema object; a function without it takes no
    // arguments (as OpenAI reads it).
    nlohmann::ordered_json tools = nlohmann::ordered_json::array();
    // "auto": the model decides; "none": it may not call (its tool-call tag is never sampled);
    // "required": it must call one of the tools (or several, with parallel_tool_calls);
    // {"type": "function", "function": {"name": X}}: it must call X, once. The last two
    // constrain the answer to valid calls (server/tool_constraint.h) and need `tools`.
    enum class Choice { kAuto, kNone, kRequired, kFunction };
    Choice choice = Choice::kAuto;
    std::string function;  // kFunction: the name
    bool may_call = true;  // not kNone
    bool parallel_tool_calls = true;  // false: only the answer's first call is kept
};

ToolRequest parse_tool_request(const nlohmann::ordered_json& body);

}  // namespace qe
