#include <algorithm>
#include <climits>

#include "core/error.h"
#include "io/json_file.h"
#include "model/architecture.h"
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

// Model types of the Qwen3.5 family this program knows and does not run.
void refuse_unsupported_family(const JsonKeys& config, const std::string& model_type) {
    if (model_type.starts_with("qwen3_5_moe") || model_type == "qwen3_next")
        config.fail("model_type " + model_type +
                    " is a mixture-of-experts model: not supported (the dense Qwen3.5 models, "
                    "model_type qwen3_5, are)");
}

// Which layers of a Qwen3.5 model are full attention: `layer_types` names each layer
// ("linear_attention" or "full_attention"); `full_attention_interval` says every Nth. Without
// either, transformers' Qwen3_5TextConfig takes every 4th. The engine runs the repeating pattern
// of the real models (layer l is full attention when (l + 1) % interval == 0) and no other.
int full_attention_interval(const JsonKeys& text, int n_layers) {
    const std::optional<int> stated = text.optional_int("full_attention_interval");
    const json* types = text.find("layer_types");
    if (!types) return stated.value_or(4);
    if (!types->is_array() || types->size() != size_t(std::max(n_layers, 0)))
        text.fail("\"layer_types\" must list each of the " + std::to_string(n_layers) +
                  " layers (num_hidden_layers)");
    int first_full = -1;
    for (size_t l = 0; l < types->size(); ++l) {
        const json& t = (*types)[l];
        if (t != "linear_attention" && t != "full_attention")
            text.fail("\"layer_types\"[" + std::to_string(l) + "] is " + t.dump() +
                      ": only \"linear_attention\" and \"full_attention\" layers are supported");
        if (first_full < 0 && t == "full_attention") first_full = int(l);
    }
    const int interval = stated.value_or(first_full >= 0 ? first_full + 1 : n_layers + 1);
    if (interval < 1) text.fail("\"full_attention_interval\" must be positive");
    for (int l = 0; l < n_layers; ++l) {
        const bool full = (*types)[size_t(l)] == "full_attention";
        if (full != ((l + 1) % interval == 0))
            text.fail("\"layer_types\" does not repeat " + std::to_string(interval - 1) +
                      " linear_attention layers then one full_attention layer (layer " +
                      std::to_string(l) + " is " + (*types)[size_t(l)].dump() +
                      "): other layer patterns are not supported");
    }
    return interval;
}

// The keys of a Qwen3.5 text model (transformers' Qwen3_5TextConfig: absent keys take its
// defaults, noted beside each), read the way llama.cpp's converter turns them into qwen35.* keys:
//   linear_conv_kernel_dim -> ssm.conv_kernel, linear_key_head_dim -> ssm.state_size,
//   linear_num_key_heads -> ssm.group_count, linear_num_value_heads -> ssm.time_step_rank,
//   rope.dimension_count = int(head_dim * partial_rotary_factor), rope.freq_base = rope_theta.
// rope_parameters (or the older rope_scaling) holds rope_theta, partial_rotary_factor and the
// MRoPE sections; text positions are the same on all three MRoPE axes, so for text the sections
// change nothing and the plain rotation of the first rope dims is exact.
void read_hybrid_keys(const JsonKeys& text, const std::string& path, ModelConfig& c) {
    if (const auto experts = text.optional_int("num_experts"); experts && *experts > 0)
        text.fail("\"num_experts\" is " + std::to_string(*experts) +
                  ": mixture-of-experts models are not supported");
    c.head_dim = text.optional_int("head_dim").value_or(256);
    c.ssm_conv_kernel = text.optional_int("linear_conv_kernel_dim").value_or(4);
    c.ssm_head_dim = text.optional_int("linear_key_head_dim").value_or(128);
    const int value_head_dim = text.optional_int("linear_value_head_dim").value_or(128);
    if (value_head_dim != c.ssm_head_dim)
        text.fail("\"linear_value_head_dim\" " + std::to_string(value_head_dim) +
                  " differs from \"linear_key_head_dim\" " + std::to_string(c.ssm_head_dim) +
                  ": not supported");
    c.ssm_k_heads = text.optional_int("linear_num_key_heads").value_or(16);
    c.ssm_v_heads = text.optional_int("linear_num_value_heads").value_or(32);
    c.full_attention_interval = full_attention_interval(text, c.n_layers);
    // transformers' Qwen3.5 attention always gates its output; the key only documents it.
    if (text.optional_bool("attn_output_gate") == false)
        text.fail(
            "\"attn_output_gate\" false is not supported (Qwen3.5 gates every attention "
            "output)");
    c.attn_output_gate = true;
    if (text.optional_bool("attention_bias") == true)
        text.fail("\"attention_bias\" true is not supported (Qwen3.5 has no attention biases)");

    const json* rope_doc = text.find("rope_parameters");
    if (!rope_doc) rope_doc = text.find("rope_scaling");
    const json empty = json::object();
    const JsonKeys rope(rope_doc ? *rope_doc : empty, path + ": rope_parameters");
    const auto rope_type = rope.optional_string("rope_type");
    if (rope_type && *rope_type != "default")
        rope.fail("\"rope_type\" " + *rope_type + " is not supported (only \"default\")");
    const auto theta = rope.optional_float("rope_theta");
    if (!theta && !text.optional_float("rope_theta"))
        text.fail("\"rope_theta\" is missing (in rope_parameters or beside it)");
    c.rope_theta = theta ? *theta : *text.optional_float("rope_theta");
    const float factor =
        rope.optional_float("partial_rotary_factor")
            .value_or(text.optional_float("partial_rotary_factor").value_or(0.25f));
    c.rope_dims = int(double(c.head_dim) * double(factor));
    if (c.rope_dims < 2 || c.rope_dims > c.head_dim)
        text.fail("\"partial_rotary_factor\" " + std::to_string(factor) + " of head_dim " +
                  std::to_string(c.head_dim) + " rotates " + std::to_string(c.rope_dims) +
                  " dims: it must rotate at least 2 and at most all");
    c.mtp_layers = text.optional_int("mtp_num_hidden_layers").value_or(0);
    if (c.mtp_layers < 0) text.fail("\"mtp_num_hidden_layers\" must not be negative");
}

}  // namespace

ModelConfig config_from_hf(const std::filesystem::path& folder, int64_t embedding_rows) {
    const auto config_path = folder / "config.json";
    const json config_doc = read_json_file(config_path);
    const JsonKeys config(config_doc, config_path.string());

    ModelConfig c;
    const auto model_type = config.optional_string("model_type");
    if (!model_type || model_type->empty()) config.fail("\"model_type\" is missing");
    refuse_unsupported_family(config, *model_type);
    const ArchitectureTraits* arch = find_architecture_by_model_type(*model_type);
    c.architecture = arch ? std::string(arch->name) : *model_type;
    c.name = std::filesystem::absolute(folder).lexically_normal().filename().string();
    if (c.name.empty())
        c.name = std::filesystem::absolute(folder).parent_path().filename().string();

    // A model with a vision tower (Qwen3_5ForConditionalGeneration) keeps its language model's
    // keys in text_config; a text-only one at the top.
    const json* nested = config.find("text_config");
    const std::string text_path = config_path.string() + (nested ? ": text_config" : "");
    const JsonKeys text(nested ? *nested : config_doc, text_path);

    c.n_layers = text.require_int("num_hidden_layers");
    c.dim = text.require_int("hidden_size");
    c.n_heads = text.require_int("num_attention_heads");
    // Defaults below are those of transformers' Qwen2Config, which reads the same folder.
    c.n_kv_heads = text.optional_int("num_key_value_heads").value_or(c.n_heads);
    if (arch && arch->gated_delta_net) {
        read_hybrid_keys(text, text_path, c);
    } else {
        c.rope_theta = text.optional_float("rope_theta").value_or(10000.0f);
        if (auto head_dim = text.optional_int("head_dim")) {
            c.head_dim = *head_dim;
        } else if (c.n_heads > 0 && c.dim % c.n_heads == 0) {
            c.head_dim = c.dim / c.n_heads;
        } else {
            text.fail(
                "hidden_size is not a multiple of num_attention_heads and no head_dim is given");
        }
    }
    c.ffn_dim = text.require_int("intermediate_size");
    c.vocab_size = text.require_int("vocab_size");
    if (embedding_rows != c.vocab_size) {
        text.fail("vocab_size is " + std::to_string(c.vocab_size) +
                  " but the token embedding (embed_tokens.weight) has " +
                  std::to_string(embedding_rows) + " rows");
    }
    c.context_length = text.require_int("max_position_embeddings");
    c.rms_eps = text.optional_float("rms_norm_eps").value_or(1e-6f);
    // The top level's flag is the one the whole model (vision and text) is built with.
    const auto tied_top = config.optional_bool("tie_word_embeddings");
    const auto tied_text = text.optional_bool("tie_word_embeddings");
    if (nested && tied_top && tied_text && *tied_top != *tied_text)
        config.fail("\"tie_word_embeddings\" is " + std::string(*tied_top ? "true" : "false") +
                    " but text_config's is " + (*tied_text ? "true" : "false"));
    c.tied_embeddings = tied_top.value_or(tied_text.value_or(false));
    if (arch) {
        c.qkv_bias = arch->qkv_bias;
        c.qk_norm = arch->qk_norm;
    }
    c.bos_id = text.optional_token("bos_token_id").value_or(-1);
    c.eos_id = text.optional_token("eos_token_id").value_or(-1);
    c.pad_id = text.optional_token("pad_token_id").value_or(-1);
    if (nested) {
        if (c.bos_id < 0) c.bos_id = config.optional_token("bos_token_id").value_or(-1);
        if (c.eos_id < 0) c.eos_id = config.optional_token("eos_token_id").value_or(-1);
        if (c.pad_id < 0) c.pad_id = config.optional_token("pad_token_id").value_or(-1);
    }

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
