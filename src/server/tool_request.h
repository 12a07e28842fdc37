// The tool fields of a chat request (tools, tool_choice, parallel_tool_calls), checked: a bad one
// throws ApiException naming the field, e.g. "tools[1].function.name".
#pragma once

#include <nlohmann/json.hpp>

namespace qe {

struct ToolRequest {
    // OpenAI's tools: [{"type": "function", "function": {"name", "description"?, "parameters"?}}].
    // `parameters`, when given, is a JSON schema object; a function without it takes no
    // arguments (as OpenAI reads it).
    nlohmann::ordered_json tools = nlohmann::ordered_json::array();
    // "auto": the model decides; "none": it may not call (its tool-call tag is never sampled).
    // "required" and a named function need decoding constrained to the tools' schemas, which
    // this server does not do yet: they are refused (unsupported_value).
    bool may_call = true;
    bool parallel_tool_calls = true;  // false: only the answer's first call is kept
};

ToolRequest parse_tool_request(const nlohmann::ordered_json& body);

}  // namespace qe
