#include "server/tool_constraint.h"

#include <algorithm>
#include <string>

#include "server/api_error.h"
#include "server/grammar_constraint.h"

namespace qe {

std::shared_ptr<TokenConstraint> tool_call_constraint(const ToolRequest& request,
                                                      grammar::ToolCallForm form,
                                                      grammar::MaskerCache& cache,
                                                      std::vector<int32_t> end_ids, int max_tokens,
                                                      int32_t open_after) {
    using Choice = ToolRequest::Choice;
    if (request.choice != Choice::kRequired && request.choice != Choice::kFunction) return nullptr;
    // The callable tools and where each is in `tools` (for errors).
    std::vector<grammar::ToolSignature> tools;
    std::vector<size_t> where;
    for (size_t i = 0; i < request.tools.size(); ++i) {
        const auto& function = request.tools[i]["function"];
        const std::string name = function["name"].get<std::string>();
        if (request.choice == Choice::kFunction && name != request.function) continue;
        const auto p = function.find("parameters");
        tools.push_back({name, p == function.end() ? nlohmann::ordered_json() : *p});
        where.push_back(i);
    }
    const bool several = request.choice == Choice::kRequired && request.parallel_tool_calls;
    nlohmann::ordered_json key = nlohmann::ordered_json::array();
    for (const auto& t : tools) key.push_back({t.name, t.parameters});
    std::shared_ptr<grammar::TokenMasker> masker;
    try {
        masker = cache.get(std::string("tool calls ") +
                               (form == grammar::ToolCallForm::kXml ? "xml " : "json ") +
                               (several ? "several " : "one ") + key.dump(),
                           [&] { return grammar::compile_tool_calls(tools, form, several); });
    } catch (const grammar::ToolSchemaError& e) {
        const std::string param =
            "tools[" + std::to_string(where[e.tool]) + "].function.parameters";
        api_fail(param, "'" + param + "' cannot constrain a forced tool call: " + e.what());
    } catch (const Error& e) {
        api_fail("tools", e.what());
    }
    return std::make_shared<GrammarConstraint>(grammar::DocumentConstraint(
        std::move(masker), std::move(end_ids), uint32_t(std::max(max_tokens, 0)), open_after));
}

}  // namespace qe
