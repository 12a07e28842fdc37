#include "grammar/tool_call_grammar.h"

#include <algorithm>
#include <set>

#include "grammar/json_schema.h"
#include "grammar/utf8_ranges.h"

namespace qe::grammar {
namespace {

using json = nlohmann::ordered_json;

// The keywords an XML-form string parameter may have: the ones its plain text can keep to.
const std::set<std::string> kXmlStringKeywords = {
    "type",     "minLength", "maxLength",   "enum",    "const",
    "nullable", "title",     "description", "default", "examples",
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw Error("json_schema: " + what + " at " + path);
}

bool allows_string(const json& s) {
    const auto type = s.find("type");
    if (type == s.end()) return false;
    if (type->is_string()) return *type == "string";
    if (type->is_array())
        for (const json& t : *type)
            if (t == "string") return true;
    return false;
}

// A name written inside <function=...> or <parameter=...>: the parser ends it at the first '>'.
void check_tag_name(const std::string& name, const std::string& path, const std::string& what) {
    if (name.empty() || name.find_first_of(">\n") != std::string::npos)
        fail(path, what + " '" + name + "' cannot be written in the XML tool-call form");
}

int length(const json& s, const char* key, int fallback, const std::string& path) {
    if (!s.contains(key)) return fallback;
    if (!s[key].is_number_integer() || s[key].get<int64_t>() < 0)
        fail(path + "/" + key, std::string(key) + " must be a non-negative integer");
    return int(std::min<int64_t>(s[key].get<int64_t>(), 1 << 20));  // the builder bounds it
}

class ToolGrammar {
  public:
    explicit ToolGrammar(ToolCallForm form) : form_(form) {}

    uint32_t call(const ToolSignature& tool, size_t index) {
        const std::string prefix = "tool" + std::to_string(index);
        const json empty = {{"type", "object"}, {"additionalProperties", false}};
        const json& params = tool.parameters.is_null() ? empty : tool.parameters;
        Sequence seq = b_.literal(kToolCallOpenMark);
        const Sequence nl = b_.literal("\n");
        seq.insert(seq.end(), nl.begin(), nl.end());
        Sequence body;
        if (form_ == ToolCallForm::kJson) {
            body = b_.literal("{\"name\": " + json(tool.name).dump() + ", \"arguments\": ");
            body.push_back(b_.ref(add_json_schema(b_, params, params, "", prefix)));
            const Sequence close = b_.literal("}");
            body.insert(body.end(), close.begin(), close.end());
        } else {
            (void)compile_json_schema(params);  // the whole schema checked as for the JSON form
            check_tag_name(tool.name, "/", "the function's name");
            body = b_.literal("<function=" + tool.name + ">\n");
            xml_parameters(params, prefix, body);
            const Sequence close = b_.literal("</function>");
            body.insert(body.end(), close.begin(), close.end());
        }
        seq.insert(seq.end(), body.begin(), body.end());
        const Sequence end = b_.literal("\n" + std::string(kToolCallCloseMark));
        seq.insert(seq.end(), end.begin(), end.end());
        return b_.group({seq}, "call " + tool.name);
    }

    Grammar build(std::vector<Sequence> calls, bool several) && {
        const uint32_t any_call = b_.group(std::move(calls), "call");
        const Sequence nl = b_.literal("\n");
        const uint32_t lead = b_.repeat(nl, 0, 2, "lead");
        Sequence root{b_.ref(lead), b_.ref(any_call)};
        if (several) {
            Sequence next = nl;
            next.push_back(b_.ref(any_call));
            root.push_back(b_.ref(b_.repeat(next, 0, GrammarBuilder::kUnbounded, "more calls")));
        }
        return std::move(b_).build(b_.group({root}, "root"));
    }

  private:
    // <parameter=k>\nvalue\n</parameter>\n for each property in order, the required ones always.
    void xml_parameters(const json& params, const std::string& prefix, Sequence& out) {
        // The form lists the properties: a schema that picks its object otherwise cannot be kept.
        for (const char* key : {"$ref", "anyOf", "oneOf", "enum", "const"})
            if (params.contains(key))
                fail("/", std::string("'") + key +
                              "' at the top of the parameters is not supported in the XML "
                              "tool-call form: list the properties");
        if (!params.contains("properties")) return;
        std::set<std::string> required;
        if (params.contains("required"))
            for (const json& r : params["required"]) required.insert(r.get<std::string>());
        for (const auto& [name, sub] : params["properties"].items()) {
            const std::string path = "/properties/" + name;
            check_tag_name(name, path, "a parameter's name");
            Sequence p = b_.literal("<parameter=" + name + ">\n");
            p.push_back(b_.ref(xml_value(params, sub, path, prefix)));
            const Sequence close = b_.literal("\n</parameter>\n");
            p.insert(p.end(), close.begin(), close.end());
            const uint32_t rule = b_.group({p}, "parameter " + name);
            out.push_back(required.count(name) ? b_.ref(rule)
                                               : b_.ref(b_.group({{b_.ref(rule)}, {}}, name)));
        }
    }

    uint32_t xml_value(const json& root, const json& s, const std::string& path,
                       const std::string& prefix) {
        if (!s.is_object()) fail(path, "a parameter's schema must be an object here");
        const json* values = s.contains("enum") ? &s["enum"] : nullptr;
        json one;
        if (s.contains("const")) {
            one = json::array({s["const"]});
            values = &one;
        }
        const bool texts = values && values->is_array() && !values->empty() &&
                           std::all_of(values->begin(), values->end(),
                                       [](const json& v) { return v.is_string(); });
        if (allows_string(s) || (!s.contains("type") && texts)) {
            for (const auto& [key, v] : s.items())
                if (!kXmlStringKeywords.count(key))
                    fail(path, "'" + key + "' is not supported for a text parameter of the " +
                                   "XML tool-call form");
            if (values) {
                // Without a type, the parser reads a text that is JSON ("1", "true") as JSON.
                if (!s.contains("type"))
                    for (const json& v : *values)
                        if (!json::parse(v.get<std::string>(), nullptr, false).is_discarded())
                            fail(path, "the value '" + v.get<std::string>() +
                                           "' would read back as JSON: give the parameter "
                                           "\"type\": \"string\"");
                std::vector<Sequence> alts;
                for (const json& v : *values)
                    if (v.is_string()) alts.push_back(b_.literal(v.get<std::string>()));
                if (alts.empty()) fail(path, "no text among the values");
                return b_.group(std::move(alts), path);
            }
            const int min = length(s, "minLength", 0, path);
            const int max = length(s, "maxLength", GrammarBuilder::kUnbounded, path);
            return b_.repeat({b_.ref(text_char())}, min, max, path);
        }
        if (!s.contains("type") &&
            (!values || std::any_of(values->begin(), values->end(),
                                    [](const json& v) { return v.is_string(); })))
            fail(path,
                 "a parameter of the XML tool-call form needs a 'type' (beside an enum "
                 "or const, unless every value is text or none is)");
        return add_json_schema(b_, root, s, path, prefix);
    }

    // Any character but '<' (which would start the closing tag).
    uint32_t text_char() {
        if (text_char_ != kNever) return text_char_;
        std::vector<Sequence> alts;
        for (const auto& bytes : utf8_alternatives(complement({{'<', '<'}}))) {
            Sequence seq;
            for (const ByteSet& set : bytes) seq.push_back(b_.bytes(set));
            alts.push_back(std::move(seq));
        }
        return text_char_ = b_.group(std::move(alts), "text");
    }

    ToolCallForm form_;
    GrammarBuilder b_;
    uint32_t text_char_ = kNever;
};

}  // namespace

void mark_tool_call_tags(std::vector<std::string_view>& tokens, int32_t open_id, int32_t close_id) {
    for (std::string_view& t : tokens)
        if (t.find('\xFF') != std::string_view::npos) t = {};
    if (open_id >= 0 && size_t(open_id) < tokens.size())
        tokens[size_t(open_id)] = kToolCallOpenMark;
    if (close_id >= 0 && size_t(close_id) < tokens.size())
        tokens[size_t(close_id)] = kToolCallCloseMark;
}

Grammar compile_tool_calls(const std::vector<ToolSignature>& tools, ToolCallForm form,
                           bool several) {
    if (tools.empty()) throw Error("tool calls: no tools to call");
    ToolGrammar g(form);
    std::vector<Sequence> calls;
    for (size_t i = 0; i < tools.size(); ++i) {
        try {
            calls.push_back({Element{ElementKind::kRule, g.call(tools[i], i)}});
        } catch (const ToolSchemaError&) {
            throw;
        } catch (const std::exception& e) {
            throw ToolSchemaError(i, e.what());
        }
    }
    try {
        return std::move(g).build(std::move(calls), several);
    } catch (const Error& e) {
        throw Error(std::string("tool calls: ") + e.what());
    }
}

}  // namespace qe::grammar
