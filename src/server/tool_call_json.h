// A tool call the model made, in OpenAI's shapes: the entry of message.tool_calls, and the two
// delta.tool_calls entries that stream it (first its id and name with empty arguments, then the
// arguments), as OpenAI streams a call.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <string>

#include "chat/tool_call_parser.h"

namespace qe {

// "call_" and 24 random hex digits: unique enough for a client to match results to calls.
std::string new_tool_call_id();

// {"id", "type": "function", "function": {"name", "arguments"}}
nlohmann::ordered_json tool_call_json(const ToolCall& call, const std::string& id);

// [{"index", "id", "type", "function": {"name", "arguments": ""}},
//  {"index", "function": {"arguments"}}]
std::array<nlohmann::ordered_json, 2> tool_call_deltas(const ToolCall& call, const std::string& id,
                                                       int index);

}  // namespace qe
