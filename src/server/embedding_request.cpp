#include "server/embedding_request.h"

#include <limits>

#include "server/request_fields.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

std::vector<int> token_ids(const json& array, const std::string& where) {
    std::vector<int> ids;
    ids.reserve(array.size());
    for (const json& t : array) {
        if (!t.is_number_integer() || t.get<int64_t>() < 0 ||
            t.get<int64_t>() > std::numeric_limits<int>::max())
            api_fail("input", "'" + where + "' must hold token ids (integers >= 0)",
                     "invalid_type");
        ids.push_back(int(t.get<int64_t>()));
    }
    if (ids.empty()) api_fail("input", "'" + where + "' must not be empty");
    return ids;
}

std::vector<EmbeddingInput> inputs_of(const json& input) {
    constexpr const char* kForms =
        "'input' must be a string, an array of strings, an array of token ids or an array of "
        "arrays of token ids";
    std::vector<EmbeddingInput> out;
    if (input.is_string()) {
        out.push_back({input.get<std::string>(), {}});
    } else if (!input.is_array()) {
        api_fail("input", kForms, "invalid_type");
    } else if (input.empty()) {
        api_fail("input", "'input' must not be empty");
    } else if (input.size() > kMaxEmbeddingInputs) {
        api_fail("input",
                 "'input' may hold at most " + std::to_string(kMaxEmbeddingInputs) + " inputs");
    } else if (input[0].is_number()) {  // one input as token ids
        out.push_back({std::nullopt, token_ids(input, "input")});
    } else {
        for (size_t i = 0; i < input.size(); ++i) {
            const json& item = input[i];
            const std::string where = "input[" + std::to_string(i) + "]";
            if (item.is_string())
                out.push_back({item.get<std::string>(), {}});
            else if (item.is_array())
                out.push_back({std::nullopt, token_ids(item, where)});
            else
                api_fail("input", kForms + std::string(" (") + where + " is neither)",
                         "invalid_type");
        }
    }
    for (size_t i = 0; i < out.size(); ++i)
        if (out[i].text && out[i].text->empty())
            api_fail("input", out.size() == 1
                                  ? std::string("'input' must not be empty")
                                  : "'input[" + std::to_string(i) + "]' must not be empty");
    return out;
}

}  // namespace

EmbeddingRequest parse_embedding_request(const json& body) {
    if (!body.is_object()) api_fail("", "the request body must be a JSON object", "invalid_type");
    refuse_unknown_fields(
        body, {"input", "model", "dimensions", "encoding_format", "user", "instruction"},
        "an embeddings request");

    EmbeddingRequest r;
    const auto input = body.find("input");
    if (input == body.end() || input->is_null())
        api_fail("input", "'input' is required", "missing_required_parameter");
    r.inputs = inputs_of(*input);

    if (const auto m = body.find("model"); m != body.end() && !m->is_null()) {
        if (!m->is_string()) api_fail("model", "'model' must be a string", "invalid_type");
        r.model = m->get<std::string>();
    }
    if (const auto d = body.find("dimensions"); d != body.end() && !d->is_null()) {
        if (!d->is_number_integer())
            api_fail("dimensions", "'dimensions' must be an integer", "invalid_type");
        if (d->get<int64_t>() < 1 || d->get<int64_t>() > (1 << 20))
            api_fail("dimensions", "'dimensions' must be at least 1");
        r.dimensions = int(d->get<int64_t>());
    }
    if (const auto f = body.find("encoding_format"); f != body.end() && !f->is_null()) {
        const std::string name = f->is_string() ? f->get<std::string>() : "";
        if (name != "float" && name != "base64")
            api_fail("encoding_format", "'encoding_format' must be \"float\" or \"base64\"",
                     f->is_string() ? "invalid_value" : "invalid_type");
        r.base64 = name == "base64";
    }
    if (const auto u = body.find("user"); u != body.end() && !u->is_null() && !u->is_string())
        api_fail("user", "'user' must be a string", "invalid_type");
    if (const auto ins = body.find("instruction"); ins != body.end() && !ins->is_null()) {
        if (!ins->is_string())
            api_fail("instruction", "'instruction' must be a string", "invalid_type");
        r.instruction = ins->get<std::string>();
    }
    return r;
}

std::string instructed_query(const std::string& instruction, const std::string& query) {
    return "Instruct: " + instruction + "\nQuery:" + query;
}

}  // namespace qe
