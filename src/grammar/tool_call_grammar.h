// The grammar of a tool call as Qwen writes it, for tool_choice "required" or a named function:
// one call (or several) of the given functions, each with arguments of its parameters' schema.
//
//   JSON form (Qwen2.5, Qwen3):  <tool_call>\n{"name": "X", "arguments": {...}}\n</tool_call>
//   XML form (Qwen3.5):          <tool_call>\n<function=X>\n<parameter=k>\nvalue\n</parameter>\n
//                                </function>\n</tool_call>
//
// `<tool_call>` and `</tool_call>` are added tokens of the vocabulary, which the model writes as
// one token each: in the grammar they are the marks below, and the trie of a tool-call masker
// gives those two tokens these bytes (and leaves out every ordinary token holding 0xFF, a byte
// that UTF-8 never uses), so the tag can only be the added token, never spelled out.
//
// Calls may be preceded by up to two newlines (after a thinking model's </think>); several calls
// are separated by one newline, as the chat templates write them.
//
// In the XML form a value is text, read back by chat/tool_call_parser.h by its schema's type:
// a parameter of type string (or a list holding "string") is plain text without '<' (minLength
// and maxLength count its characters; enum and const give the texts), any other type is its
// JSON. A parameter schema that the parser could not read back is refused: a string `format`,
// no `type` beyond an enum or const of only texts (none reading as JSON) or of no texts, or
// parameters chosen by $ref, anyOf, oneOf, enum or const at the top instead of listed.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "grammar/grammar.h"

namespace qe::grammar {

inline constexpr std::string_view kToolCallOpenMark = "\xFF\x01";   // <tool_call>
inline constexpr std::string_view kToolCallCloseMark = "\xFF\x02";  // </tool_call>

enum class ToolCallForm { kJson, kXml };

struct ToolSignature {
    std::string name;
    // The JSON schema of the arguments object; null: none (the function takes no arguments,
    // so they are {}, as OpenAI reads a function without parameters).
    nlohmann::ordered_json parameters;
};

// A schema of tools[tool] that does not compile: the message says what and where.
class ToolSchemaError : public Error {
  public:
    ToolSchemaError(size_t tool, const std::string& what) : Error(what), tool(tool) {}
    size_t tool;
};

// Turns a vocabulary's bytes (tokens[id], "" for a token left out) into those of a tool-call
// trie: the tag tokens get the marks, and ordinary tokens holding 0xFF are left out.
void mark_tool_call_tags(std::vector<std::string_view>& tokens, int32_t open_id, int32_t close_id);

// One call of one of `tools`, or, with `several`, one or more. Throws ToolSchemaError.
Grammar compile_tool_calls(const std::vector<ToolSignature>& tools, ToolCallForm form,
                           bool several);

}  // namespace qe::grammar
