#include <climits>

#include "core/error.h"
#include "model/architecture.h"
#include "io/json_file.h"
#include "model/config_loaders.h"

namespace qe {
namespace {

using json = nlohmann::json;

// "\"key\"", built by appending (g++ 12 warns falsely on "\"" + std::string(key)).
std::string quoted(const char* key) {
    std::string s = "\"";
    s += key;
    s += '"';
    return s;
}

// Typed access to one JSON object with errors that name the file and the key.
class JsonKeys {
  public:
    JsonKeys(const json& doc, std::string path) : doc_(doc), path_(std::move(path)) {
        if (!doc_.is_object()) fail("is not a JSON object");
    }

    [[noreturn]] void fail(const std::string& message) const {
        throw Error(path_ + ": " + message);
    }

    const json* find(const char* key) const {
        const auto it = doc_.find(key);
        return it == doc_.end() || it->is_null() ? nullptr : &*it;
    }

    int to_int(const char* key, const json& v) const {
        if (v.is_number_unsigned() && v.get<uint64_t>() <= uint64_t(INT_MAX))
            return int(v.get<uint64_t>());
        if (v.is_number_integer() && v.get<int64_t>() >= INT_MIN && v.get<int64_t>() <= INT_MAX) {
            return int(v.get<int64_t>());
        }
        fail(quoted(key) + " must be an integer in range, not " + v.dump());
    }
    int require_int(const char* key) const {
        const json* v = find(key);
        if (!v) fail(quoted(key) + " is missing");
        return to_int(key, *v);
    }
    std::optional<int> optional_int(const char* key) const {
        const json* v = find(key);
        if (!v) return std::nullopt;
        return to_int(key, *v);
    }
    // A token id that may be given as a list (generation_config's eos_token_id): the first.
    std::optional<int> optional_token(const char* key) const {
        const json* v = find(key);
        if (!v) return std::nullopt;
        if (v->is_array()) {
            if (v->empty()) return std::nullopt;
            return to_int(key, v->front());
        }
        return to_int(key, *v);
    }
    std::optional<float> optional_float(const char* key) const {
        const json* v = find(key);
        if (!v) return std::nullopt;
        if (!v->is_number()) fail(quoted(key) + " must be a number, not " + v->dump());
        return float(v->get<double>());
    }
    std::optional<bool> optional_bool(const char* key) const {
        const json* v = find(key);
        if (!v) return std::nullopt;
        if (!v->is_boolean()) fail(quoted(key) + " must be true or false");
        return v->get<bool>();
    }
    std::optional<std::string> optional_string(const char* key) const {
        const json* v = find(key);
        if (!v) return std::nullopt;
        if (!v->is_string()) fail(quoted(key) + " must be a string");
        return v->get<std::string>();
    }

  private:
    const json& doc_;
    std::string path_;
};

// tokenizer_config.json names special tokens by text ("pad_token": "<|endoftext|>", or an object
// with "content"); added_tokens_decoder maps ids to them.
std::optional<int> token_id_by_text(const json& tokenizer_config, const char* key) {
    const auto it = tokenizer_config.find(key);
    if (it == tokenizer_config.end()) return std::nullopt;
    std::string text;
    if (it->is_string()) {
        text = it->get<std::string>();
    } else if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) {
        text = (*it)["content"].get<std::string>();
    } else {
        return std::nullopt;
    }
    const auto decoder = tokenizer_config.find("added_tokens_decoder");
    if (decoder == tokenizer_config.end() || !decoder->is_object()) return std::nullopt;
    for (const auto& [id, token] : decoder->items()) {
        if (token.is_object() && token.value("content", std::string()) == text) {
            try {
                size_t used = 0;
                const int value = std::stoi(id, &used);
                if (used == id.size()) return value;
            } catch (const std::exception&) {
            }
        }
    }
    return std::nullopt;
}

}  // namespace

ModelConfig config_from_hf(const std::filesystem::path& folder, int64_t embedding_rows) {
    const auto config_path = folder / "config.json";
    const json config_doc = read_json_file(config_path);
    const JsonKeys config(config_doc, config_path.string());

    ModelConfig c;
    const auto model_type = config.optional_string("model_type");
    if (!model_type || model_type->empty()) config.fail("\"model_type\" is missing");
    c.architecture = *model_type;
    c.name = std::filesystem::absolute(folder).lexically_normal().filename().string();
    if (c.name.empty())
        c.name = std::filesystem::absolute(folder).parent_path().filename().string();

    c.n_layers = config.require_int("num_hidden_layers");
    c.dim = config.require_int("hidden_size");
    c.n_heads = config.require_int("num_attention_heads");
    // Defaults below are those of transformers' Qwen2Config, which reads the same folder.
    c.n_kv_heads = config.optional_int("num_key_value_heads").value_or(c.n_heads);
    if (auto head_dim = config.optional_int("head_dim")) {
        c.head_dim = *head_dim;
    } else if (c.n_heads > 0 && c.dim % c.n_heads == 0) {
        c.head_dim = c.dim / c.n_heads;
    } else {
        config.fail(
            "hidden_size is not a multiple of num_attention_heads and no head_dim is given");
    }
    c.ffn_dim = config.require_int("intermediate_size");
    c.vocab_size = config.require_int("vocab_size");
    if (embedding_rows != c.vocab_size) {
        config.fail("vocab_size is " + std::to_string(c.vocab_size) +
                    " but model.embed_tokens.weight has " + std::to_string(embedding_rows) +
                    " rows");
    }
    c.context_length = config.require_int("max_position_embeddings");
    c.rope_theta = config.optional_float("rope_theta").value_or(10000.0f);
    c.rms_eps = config.optional_float("rms_norm_eps").value_or(1e-6f);
    c.tied_embeddings = config.optional_bool("tie_word_embeddings").value_or(false);
    if (const ArchitectureTraits* arch = find_architecture(c.architecture)) {
        c.qkv_bias = arch->qkv_bias;
        c.qk_norm = arch->qk_norm;
    }
    c.bos_id = config.optional_token("bos_token_id").value_or(-1);
    c.eos_id = config.optional_token("eos_token_id").value_or(-1);
    c.pad_id = config.optional_token("pad_token_id").value_or(-1);

    const auto generation_path = folder / "generation_config.json";
    if (std::filesystem::exists(generation_path)) {
        const json doc = read_json_file(generation_path);
        const JsonKeys generation(doc, generation_path.string());
        if (c.bos_id < 0) c.bos_id = generation.optional_token("bos_token_id").value_or(-1);
        if (c.eos_id < 0) c.eos_id = generation.optional_token("eos_token_id").value_or(-1);
        if (c.pad_id < 0) c.pad_id = generation.optional_token("pad_token_id").value_or(-1);
    }

    const auto tokenizer_config_path = folder / "tokenizer_config.json";
    if (std::filesystem::exists(tokenizer_config_path)) {
        const json doc = read_json_file(tokenizer_config_path);
        const JsonKeys tokenizer_config(doc, tokenizer_config_path.string());
        c.add_bos = tokenizer_config.optional_bool("add_bos_token").value_or(false);
        const json* tmpl = tokenizer_config.find("chat_template");
        c.has_chat_template = tmpl && ((tmpl->is_string() && !tmpl->get<std::string>().empty()) ||
                                       (tmpl->is_array() && !tmpl->empty()));
        if (c.pad_id < 0) c.pad_id = token_id_by_text(doc, "pad_token").value_or(-1);
        if (c.eos_id < 0) c.eos_id = token_id_by_text(doc, "eos_token").value_or(-1);
        if (c.bos_id < 0) c.bos_id = token_id_by_text(doc, "bos_token").value_or(-1);
    }
    // Newer folders keep the template in a file of its own.
    if (std::filesystem::exists(folder / "chat_template.jinja")) c.has_chat_template = true;
    return c;
}

}  // namespace qe
