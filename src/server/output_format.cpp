#include "server/output_format.h"

#include "core/error.h"
#include "grammar/document_constraint.h"
#include "grammar/gbnf_parser.h"
#include "grammar/json_schema.h"
#include "grammar/tool_call_grammar.h"
#include "server/api_error.h"
#include "server/grammar_constraint.h"

namespace qe {

namespace {

using json = nlohmann::ordered_json;

OutputFormat parse_response_format(const json& rf) {
    OutputFormat f;
    if (!rf.is_object() || !rf.contains("type") || !rf["type"].is_string()) {
        api_fail("response_format", "'response_format' must be an object with a 'type'",
                 "invalid_type");
    }
    const std::string type = rf["type"].get<std::string>();
    if (type == "text") return f;
    if (type == "json_object") {
        f.kind = OutputFormat::Kind::kJsonObject;
        return f;
    }
    if (type != "json_schema") {
        api_fail("response_format.type",
                 "'response_format.type' must be 'text', 'json_object' "
                 "or 'json_schema', not '" +
                     type + "'");
    }
    const json* js = rf.contains("json_schema") ? &rf["json_schema"] : nullptr;
    if (!js || !js->is_object()) {
        api_fail("response_format.json_schema", "'response_format.json_schema' must be an object",
                 "invalid_type");
    }
    if (js->contains("name") && !(*js)["name"].is_string()) {
        api_fail("response_format.json_schema.name", "'name' must be a string", "invalid_type");
    }
    if (js->contains("strict") && !(*js)["strict"].is_boolean()) {
        api_fail("response_format.json_schema.strict", "'strict' must be true or false",
                 "invalid_type");
    }
    // The output always keeps to the schema: strict or not, the same constraint.
    f.kind = OutputFormat::Kind::kJsonSchema;
    f.schema = js->contains("schema") ? (*js)["schema"] : json::object();
    return f;
}

}  // namespace

OutputFormat parse_output_format(const json& body) {
    OutputFormat f;
    if (body.contains("response_format") && !body["response_format"].is_null()) {
        f = parse_response_format(body["response_format"]);
    }
    if (body.contains("grammar") && !body["grammar"].is_null()) {
        if (!body["grammar"].is_string()) {
            api_fail("grammar", "'grammar' must be a string of GBNF", "invalid_type");
        }
        if (f.kind != OutputFormat::Kind::kText) {
            api_fail("grammar",
                     "'grammar' and a 'response_format' other than text exclude "
                     "each other");
        }
        f.kind = OutputFormat::Kind::kGrammar;
        f.grammar = body["grammar"].get<std::string>();
    }
    return f;
}

std::shared_ptr<const grammar::TokenTrie> vocabulary_trie(const Tokenizer& tokenizer,
                                                          bool tool_call_tags) {
    std::vector<std::string_view> bytes(size_t(tokenizer.size()));
    for (int32_t id = 0; id < tokenizer.size(); ++id) {
        if (tokenizer.kind(id) == TokenKind::kNormal) bytes[size_t(id)] = tokenizer.token_bytes(id);
    }
    if (tool_call_tags)
        grammar::mark_tool_call_tags(bytes, tokenizer.find_added("<tool_call>"),
                                     tokenizer.find_added("</tool_call>"));
    return std::make_shared<const grammar::TokenTrie>(bytes);
}

std::shared_ptr<TokenConstraint> output_constraint(const OutputFormat& format,
                                                   grammar::MaskerCache& cache,
                                                   std::vector<int32_t> end_ids, int max_tokens,
                                                   int32_t open_after) {
    using Kind = OutputFormat::Kind;
    if (format.kind == Kind::kText) return nullptr;
    std::shared_ptr<grammar::TokenMasker> masker;
    const char* param = format.kind == Kind::kGrammar ? "grammar" : "response_format";
    try {
        switch (format.kind) {
            case Kind::kJsonObject:
                masker = cache.get("json_object", [] { return grammar::json_object_grammar(); });
                break;
            case Kind::kJsonSchema:
                masker = cache.get("schema " + format.schema.dump(),
                                   [&] { return grammar::compile_json_schema(format.schema); });
                break;
            default:
                masker = cache.get("gbnf " + format.grammar,
                                   [&] { return grammar::parse_gbnf(format.grammar); });
        }
    } catch (const Error& e) {
        api_fail(param, e.what());
    }
    return std::make_shared<GrammarConstraint>(grammar::DocumentConstraint(
        std::move(masker), std::move(end_ids), uint32_t(std::max(max_tokens, 0)), open_after));
}

}  // namespace qe
