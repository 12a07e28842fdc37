#include "server/tool_request.h"

#include <set>
#include <string>

#include "server/api_error.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

const json* member(const json& object, const char* name) {
    auto it = object.find(name);
    return it == object.end() || it->is_null() ? nullptr : &*it;
}

// Checks one tool and returns its function's name.
std::string check_tool(const json& tool, const std::string& where) {
    if (!tool.is_object()) api_fail(where, "'" + where + "' must be an object", "invalid_type");
    const json* type = member(tool, "type");
    if (!type || *type != "function")
        api_fail(where + ".type", "'" + where + ".type' must be \"function\"",
                 type ? "unsupported_value" : "missing_required_parameter");
    const json* function = member(tool, "function");
    if (!function || !function->is_object())
        api_fail(where + ".function",
                 "'" + where + ".function' must be an object with the function's name",
                 function ? "invalid_type" : "missing_required_parameter");
    const json* name = member(*function, "name");
    if (!name || !name->is_string() || name->get_ref<const std::string&>().empty())
        api_fail(where + ".function.name",
                 "'" + where + ".function.name' must be a non-empty string",
                 name ? "invalid_type" : "missing_required_parameter");
    if (const auto p = function->find("parameters"); p != function->end()) {
        // A JSON schema of the arguments object (the model reads it in its prompt).
        if (!p->is_object() || (p->contains("type") && (*p)["type"] != "object"))
            api_fail(where + ".function.parameters",
                     "'" + where +
                         ".function.parameters' must be a JSON schema object of the arguments, "
                         "like {\"type\": \"object\", \"properties\": {...}}",
                     "invalid_type");
    }
    return name->get<std::string>();
}

std::string joined(const std::set<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? "none" : out;
}

}  // namespace

ToolRequest parse_tool_request(const json& body) {
    ToolRequest r;
    std::set<std::string> names;
    if (const json* tools = member(body, "tools")) {
        if (!tools->is_array()) api_fail("tools", "'tools' must be an array", "invalid_type");
        for (size_t i = 0; i < tools->size(); ++i) {
            const std::string where = "tools[" + std::to_string(i) + "]";
            if (!names.insert(check_tool((*tools)[i], where)).second)
                api_fail(where + ".function.name",
                         "'" + where + ".function.name' repeats the name of an earlier tool");
        }
        r.tools = *tools;
    }

    if (const json* choice = member(body, "tool_choice")) {
        if (*choice == "none") {
            r.choice = ToolRequest::Choice::kNone;
            r.may_call = false;
        } else if (*choice == "required") {
            r.choice = ToolRequest::Choice::kRequired;
            if (names.empty())
                api_fail("tool_choice", "'tool_choice' \"required\" needs functions in 'tools'");
        } else if (choice->is_object()) {
            const json* function = member(*choice, "function");
            const json* name =
                function && function->is_object() ? member(*function, "name") : nullptr;
            if (member(*choice, "type") == nullptr || (*choice)["type"] != "function" || !name ||
                !name->is_string())
                api_fail("tool_choice",
                         "'tool_choice' must be \"auto\", \"none\", \"required\" or {\"type\": "
                         "\"function\", \"function\": {\"name\": \"...\"}}",
                         "invalid_type");
            if (!names.contains(name->get<std::string>()))
                api_fail("tool_choice.function.name",
                         "'tool_choice.function.name' is '" + name->get<std::string>() +
                             "', which names no function of 'tools' (" + joined(names) + ")");
            r.choice = ToolRequest::Choice::kFunction;
            r.function = name->get<std::string>();
        } else if (*choice != "auto") {
            api_fail("tool_choice",
                     "'tool_choice' must be \"auto\", \"none\", \"required\" or {\"type\": "
                     "\"function\", \"function\": {\"name\": \"...\"}}",
                     choice->is_string() ? "invalid_value" : "invalid_type");
        }
    }

    if (const json* parallel = member(body, "parallel_tool_calls")) {
        if (!parallel->is_boolean())
            api_fail("parallel_tool_calls", "'parallel_tool_calls' must be true or false",
                     "invalid_type");
        r.parallel_tool_calls = parallel->get<bool>();
    }
    return r;
}

}  // namespace qe
