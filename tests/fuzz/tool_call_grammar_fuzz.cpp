// Any bytes as a request's `tools`: the tool-call grammar of forced calls is compiled in both of
// Qwen's forms, or refused with qe::Error (never another exception, a crash or a runaway); and
// the shortest call it allows reads back, through the same parser as the model's answers, as a
// call of one of the tools with arguments valid under that tool's schema.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chat/tool_call_parser.h"
#include "core/error.h"
#include "grammar/json_schema.h"
#include "grammar/matcher.h"
#include "grammar/tool_call_grammar.h"
#include "server/api_error.h"
#include "server/tool_request.h"

namespace {

using json = nlohmann::ordered_json;
namespace g = qe::grammar;

// The shortest document: greedily the byte that lowers the distance by one.
std::string shortest(const std::shared_ptr<const g::Grammar>& grammar) {
    g::Matcher m(grammar);
    std::string out;
    for (int step = 0; step < 4096 && !m.accepting(); ++step) {
        const uint32_t d = m.distance();
        bool moved = false;
        for (int b = 0; b < 256 && !moved; ++b) {
            const char c = char(b);
            if (!m.accept(std::string_view(&c, 1))) continue;
            if (m.distance() == d - 1) {
                moved = true;
                out += c;
            } else {
                m.rewind(1);
            }
        }
        if (!moved) __builtin_trap();
    }
    return out;
}

void check_call(std::string doc, const json& tools, const std::vector<g::ToolSignature>& sigs) {
    doc.erase(0, doc.find_first_not_of('\n'));
    const std::string open(g::kToolCallOpenMark), close(g::kToolCallCloseMark);
    if (!doc.starts_with(open) || !doc.ends_with(close)) __builtin_trap();
    const std::string body = doc.substr(open.size(), doc.size() - open.size() - close.size());
    const auto call = qe::parse_tool_call(body, tools);
    if (!call) __builtin_trap();
    const g::ToolSignature* sig = nullptr;
    for (const auto& s : sigs)
        if (s.name == call->name) sig = &s;
    if (!sig) __builtin_trap();
    // The arguments keep to the tool's schema (none: {}).
    const json none = {{"type", "object"}, {"additionalProperties", false}};
    g::Matcher m(std::make_shared<const g::Grammar>(
        g::compile_json_schema(sig->parameters.is_null() ? none : sig->parameters)));
    if (!m.accept(call->arguments) || !m.accepting()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const json tools = json::parse(text, nullptr, false);
    if (tools.is_discarded()) return 0;
    try {
        (void)qe::parse_tool_request({{"tools", tools}, {"tool_choice", "required"}});
    } catch (const qe::ApiException&) {
        return 0;  // tools the request itself refuses
    }
    std::vector<g::ToolSignature> sigs;
    for (const json& t : tools) {
        const json& f = t["function"];
        sigs.push_back(
            {f["name"].get<std::string>(), f.contains("parameters") ? f["parameters"] : json()});
    }
    for (const auto form : {g::ToolCallForm::kJson, g::ToolCallForm::kXml}) {
        try {
            const auto grammar =
                std::make_shared<const g::Grammar>(g::compile_tool_calls(sigs, form, false));
            check_call(shortest(grammar), tools, sigs);
        } catch (const qe::Error&) {
            // A schema refused, or one so ambiguous that it keeps more than kMaxStacks parses.
        }
    }
    return 0;
}
