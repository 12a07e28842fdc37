#include "chat/tool_call_parser.h"

#include "chat/tag_scan.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

// Compact, with the model's text as it is (no \u escapes); broken UTF-8 becomes U+FFFD rather
// than an exception.
std::string compact(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string_view trim(std::string_view s) {
    s.remove_prefix(first_non_space(s));
    return s.substr(0, trimmed_end(s));
}

// The `type` the tool's schema gives a parameter, or nullptr when it gives none.
const json* schema_type(const json& tools, std::string_view function, std::string_view param) {
    if (!tools.is_array()) return nullptr;
    for (const json& tool : tools) {
        if (!tool.is_object()) continue;
        const auto f = tool.find("function");
        if (f == tool.end() || !f->is_object()) continue;
        const auto name = f->find("name");
        if (name == f->end() || !name->is_string() ||
            name->get_ref<const std::string&>() != function)
            continue;
        const auto params = f->find("parameters");
        if (params == f->end() || !params->is_object()) return nullptr;
        const auto props = params->find("properties");
        if (props == params->end() || !props->is_object()) return nullptr;
        const auto prop = props->find(std::string(param));
        if (prop == props->end() || !prop->is_object()) return nullptr;
        const auto type = prop->find("type");
        return type == prop->end() ? nullptr : &*type;
    }
    return nullptr;
}

bool allows_string(const json& type) {
    if (type.is_string()) return type == "string";
    if (type.is_array())
        for (const json& t : type)
            if (t == "string") return true;
    return false;
}

// An XML-form value: text, or JSON where the schema (or, without one, the text) says so.
json typed_value(const std::string& text, const json* type) {
    if (type && allows_string(*type)) return text;
    json parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded()) return text;
    if (!type && parsed.is_string()) return text;  // quotes the model wrote are part of the text
    return parsed;
}

// `<tag=NAME>` at the start of `s`: NAME, and `s` moved past the tag.
std::optional<std::string> open_tag(std::string_view& s, std::string_view tag) {
    if (!s.starts_with(tag)) return std::nullopt;
    const size_t end = s.find('>', tag.size());
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view name = trim(s.substr(tag.size(), end - tag.size()));
    if (name.empty() || name.find('\n') != std::string_view::npos) return std::nullopt;
    s.remove_prefix(end + 1);
    return std::string(name);
}

std::optional<ToolCall> parse_xml_form(std::string_view s, const json& tools) {
    auto name = open_tag(s, "<function=");
    if (!name) return std::nullopt;
    json arguments = json::object();
    for (;;) {
        s.remove_prefix(first_non_space(s));
        if (s.empty() || s.starts_with("</function>")) break;  // a missing </function> is forgiven
        auto param = open_tag(s, "<parameter=");
        if (!param) return std::nullopt;
        const size_t end = s.find("</parameter>");
        if (end == std::string_view::npos) return std::nullopt;
        std::string_view value = s.substr(0, end);
        if (value.starts_with('\n')) value.remove_prefix(1);
        if (value.ends_with('\n')) value.remove_suffix(1);
        arguments[*param] = typed_value(std::string(value), schema_type(tools, *name, *param));
        s.remove_prefix(end + std::string_view("</parameter>").size());
    }
    return ToolCall{std::move(*name), compact(arguments)};
}

std::optional<ToolCall> parse_json_form(std::string_view s) {
    const json call = json::parse(s, nullptr, false);
    if (!call.is_object()) return std::nullopt;
    const auto name = call.find("name");
    if (name == call.end() || !name->is_string() || name->get<std::string>().empty())
        return std::nullopt;
    auto arguments = call.find("arguments");
    if (arguments == call.end()) arguments = call.find("parameters");  // some models' spelling
    ToolCall out{name->get<std::string>(), "{}"};
    if (arguments != call.end() && !arguments->is_null())
        // A string is kept as written: OpenAI's arguments are a JSON string the client parses
        // (and must check: models do not always write valid JSON).
        out.arguments =
            arguments->is_string() ? arguments->get<std::string>() : compact(*arguments);
    return out;
}

}  // namespace

std::optional<ToolCall> parse_tool_call(std::string_view body, const json& tools) {
    body = trim(body);
    if (body.starts_with('{')) return parse_json_form(body);
    return parse_xml_form(body, tools);
}

}  // namespace qe
