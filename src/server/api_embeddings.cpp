// POST /v1/embeddings: OpenAI's schema over the Embedder of the server's embedding model. The
// request runs on its HTTP thread; the Embedder serialises requests over its own runtime.
#include <bit>
#include <cstring>

#include "core/error.h"
#include "server/api.h"
#include "server/embedding_request.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

// Standard base64 (with padding) of bytes.
std::string base64(const std::vector<uint8_t>& bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (size_t i = 0; i < bytes.size(); i += 3) {
        const uint32_t n = uint32_t(bytes[i]) << 16 |
                           (i + 1 < bytes.size() ? uint32_t(bytes[i + 1]) << 8 : 0) |
                           (i + 2 < bytes.size() ? uint32_t(bytes[i + 2]) : 0);
        out += kAlphabet[n >> 18 & 63];
        out += kAlphabet[n >> 12 & 63];
        out += i + 1 < bytes.size() ? kAlphabet[n >> 6 & 63] : '=';
        out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
    }
    return out;
}

// OpenAI's base64 embeddings: the float32 values' little-endian bytes.
std::string base64_floats(const std::vector<float>& values) {
    std::vector<uint8_t> bytes;
    bytes.reserve(values.size() * 4);
    for (float v : values) {
        const uint32_t u = std::bit_cast<uint32_t>(v);
        for (int b = 0; b < 4; ++b) bytes.push_back(uint8_t(u >> (8 * b)));
    }
    return base64(bytes);
}

[[noreturn]] void fail(int status, std::string code, std::string param, std::string message) {
    api_fail(std::move(param), std::move(message), std::move(code), status);
}

}  // namespace

HttpResponse Api::embeddings(const HttpRequest& req) {
    refuse_when_shutting_down();
    const EmbeddingRequest r = parse_embedding_request(parse_json_body(req.body));
    const auto served = use_model<EmbeddingModel>(r.model, ModelKind::kEmbedding);
    const LoadedModel& model = served->model();
    Embedder& embedder = served->embedder();
    if (r.dimensions > embedder.dim())
        fail(400, "invalid_value", "dimensions",
             "'dimensions' must be between 1 and " + std::to_string(embedder.dim()) +
                 " (the model's embedding size)");

    std::vector<std::vector<int>> inputs;
    inputs.reserve(r.inputs.size());
    std::vector<int32_t> prefix;
    try {
        // Token-id inputs get the instruction's ids before theirs.
        if (r.instruction)
            prefix = model.tokenizer().encode(instructed_query(*r.instruction, ""),
                                              SpecialTokens::kParse);
        for (size_t i = 0; i < r.inputs.size(); ++i) {
            const EmbeddingInput& in = r.inputs[i];
            if (in.text) {
                const std::string text =
                    r.instruction ? instructed_query(*r.instruction, *in.text) : *in.text;
                const auto ids = model.tokenizer().encode(text, SpecialTokens::kParse);
                inputs.emplace_back(ids.begin(), ids.end());
            } else {
                for (int id : in.ids)
                    if (id >= model.config().vocab_size)
                        fail(400, "invalid_value", "input",
                             "input " + std::to_string(i) + ": token id " + std::to_string(id) +
                                 " is out of the vocabulary [0, " +
                                 std::to_string(model.config().vocab_size) + ")");
                std::vector<int> ids(prefix.begin(), prefix.end());
                ids.insert(ids.end(), in.ids.begin(), in.ids.end());
                inputs.push_back(std::move(ids));
            }
        }
    } catch (const Error& e) {
        fail(400, "invalid_value", "input", e.what());
    }

    Embeddings result;
    try {
        result = embedder.embed(inputs, r.dimensions);
    } catch (const EmbeddingInputError& e) {
        fail(400, inputs[e.index].empty() ? "invalid_value" : "context_length_exceeded", "input",
             e.what());
    }

    json data = json::array();
    for (size_t i = 0; i < result.vectors.size(); ++i) {
        json item = {{"object", "embedding"}, {"index", i}};
        if (r.base64)
            item["embedding"] = base64_floats(result.vectors[i]);
        else
            item["embedding"] = result.vectors[i];
        data.push_back(std::move(item));
    }
    HttpResponse out;
    out.body = json{{"object", "list"},
                    {"data", std::move(data)},
                    {"model", model.id()},
                    {"usage", {{"prompt_tokens", result.tokens}, {"total_tokens", result.tokens}}}}
                   .dump(-1, ' ', false, json::error_handler_t::replace);
    return out;
}

}  // namespace qe
