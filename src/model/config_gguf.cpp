#include <climits>
#include <filesystem>

#include "core/error.h"
#include "model/architecture.h"
#include "model/config_loaders.h"

namespace qe {
namespace {

// Typed access to metadata with errors that name the file and the key.
class Keys {
  public:
    Keys(const GgufFile& file, const std::string& path) : file_(file), path_(path) {}

    [[noreturn]] void fail(const std::string& message) const {
        throw Error(path_ + ": " + message);
    }

    const GgufValue* find(const std::string& key) const { return file_.find(key); }

    const GgufValue& require(const std::string& key, const char* hint) const {
        const GgufValue* v = file_.find(key);
        if (!v) fail("metadata key '" + key + "' is missing" + hint);
        return *v;
    }

    int to_int(const std::string& key, const GgufValue& v) const {
        const auto i = v.as_int();
        if (!i) fail("metadata '" + key + "' is a " + gguf_type_name(v.type) + ", not an integer");
        if (*i < INT_MIN || *i > INT_MAX) {
            fail("metadata '" + key + "' = " + std::to_string(*i) + " is out of range");
        }
        return int(*i);
    }

    int require_int(const std::string& key, const char* hint = "") const {
        return to_int(key, require(key, hint));
    }
    std::optional<int> optional_int(const std::string& key) const {
        const GgufValue* v = find(key);
        if (!v) return std::nullopt;
        return to_int(key, *v);
    }
    float require_float(const std::string& key, const char* hint = "") const {
        const GgufValue& v = require(key, hint);
        const auto f = v.as_float();
        if (!f) fail("metadata '" + key + "' is a " + gguf_type_name(v.type) + ", not a number");
        return float(*f);
    }
    std::optional<bool> optional_bool(const std::string& key) const {
        const GgufValue* v = find(key);
        if (!v) return std::nullopt;
        const auto b = v->as_bool();
        if (!b) fail("metadata '" + key + "' is a " + gguf_type_name(v->type) + ", not a bool");
        return b;
    }
    const std::string& require_string(const std::string& key, const char* hint = "") const {
        const GgufValue& v = require(key, hint);
        const std::string* s = v.as_string();
        if (!s) fail("metadata '" + key + "' is a " + gguf_type_name(v.type) + ", not a string");
        return *s;
    }

  private:
    const GgufFile& file_;
    const std::string& path_;
};

// The keys of a hybrid model (qwen35): its DeltaNet sizes, where its attention layers are, and
// how much of each attention head rotates. Files with multi-token-prediction blocks count them in
// block_count: those blocks are not part of the forward pass.
void read_hybrid_keys(const Keys& keys, const std::string& a, ModelConfig& c) {
    const char* hint = " (a Gated DeltaNet model must state it)";
    c.full_attention_interval = keys.require_int(a + "full_attention_interval", hint);
    c.ssm_conv_kernel = keys.require_int(a + "ssm.conv_kernel", hint);
    c.ssm_head_dim = keys.require_int(a + "ssm.state_size", hint);
    c.ssm_k_heads = keys.require_int(a + "ssm.group_count", hint);
    c.ssm_v_heads = keys.require_int(a + "ssm.time_step_rank", hint);
    const int inner = keys.require_int(a + "ssm.inner_size", hint);
    if (inner != c.ssm_v_heads * c.ssm_head_dim)
        keys.fail(a + "ssm.inner_size = " + std::to_string(inner) + " is not time_step_rank " +
                  std::to_string(c.ssm_v_heads) + " x state_size " +
                  std::to_string(c.ssm_head_dim));
    if (keys.find(a + "attention.recurrent_layers"))
        keys.fail(a +
                  "attention.recurrent_layers: a layer pattern other than "
                  "full_attention_interval is not supported");
    c.rope_dims = keys.optional_int(a + "rope.dimension_count").value_or(0);
    if (auto v = keys.optional_int(a + "attention.value_length"); v && *v != c.head_dim)
        keys.fail(a + "attention.value_length = " + std::to_string(*v) +
                  " differs from key_length " + std::to_string(c.head_dim));
    c.attn_output_gate = true;
    c.mtp_layers = keys.optional_int(a + "nextn_predict_layers").value_or(0);
    if (c.mtp_layers < 0 || c.mtp_layers >= c.n_layers)
        keys.fail(a + "nextn_predict_layers = " + std::to_string(c.mtp_layers) +
                  " does not leave any of the " + std::to_string(c.n_layers) + " blocks");
    c.n_layers -= c.mtp_layers;
}

}  // namespace

ModelConfig config_from_gguf(const GgufFile& file, const std::string& path) {
    const Keys keys(file, path);
    ModelConfig c;
    c.architecture = keys.require_string("general.architecture", " (not a model file?)");
    if (c.architecture.empty()) keys.fail("general.architecture is empty");
    const std::string a = c.architecture + ".";
    const GgufValue* name = keys.find("general.name");
    c.name = name && name->as_string() ? *name->as_string()
                                       : std::filesystem::path(path).stem().string();

    const char* hint = " (a model must state its hyper-parameters)";
    c.n_layers = keys.require_int(a + "block_count", hint);
    c.dim = keys.require_int(a + "embedding_length", hint);
    c.n_heads = keys.require_int(a + "attention.head_count", hint);
    // The GGUF spec: without head_count_kv the model does not use grouped-query attention.
    c.n_kv_heads = keys.optional_int(a + "attention.head_count_kv").value_or(c.n_heads);
    // Qwen2 files state no key_length: the head size is dim / n_heads.
    if (auto key_length = keys.optional_int(a + "attention.key_length")) {
        c.head_dim = *key_length;
    } else if (c.n_heads > 0 && c.dim % c.n_heads == 0) {
        c.head_dim = c.dim / c.n_heads;
    } else {
        keys.fail("embedding_length " + std::to_string(c.dim) + " is not a multiple of " +
                  "head_count " + std::to_string(c.n_heads) + " and no key_length is given");
    }
    c.ffn_dim = keys.require_int(a + "feed_forward_length", hint);
    c.context_length = keys.require_int(a + "context_length", hint);
    c.rope_theta = keys.require_float(a + "rope.freq_base", hint);
    c.rms_eps = keys.require_float(a + "attention.layer_norm_rms_epsilon", hint);

    const TensorView* embd = file.tensor("token_embd.weight");
    if (!embd) keys.fail("tensor 'token_embd.weight' is missing");
    if (embd->shape.size() != 2) keys.fail("tensor 'token_embd.weight' is not a matrix");
    if (embd->shape[0] > INT_MAX) keys.fail("token_embd.weight has too many rows");
    c.vocab_size = int(embd->shape[0]);
    if (auto stated = keys.optional_int(a + "vocab_size"); stated && *stated != c.vocab_size) {
        keys.fail(a + "vocab_size = " + std::to_string(*stated) + " but token_embd.weight has " +
                  std::to_string(c.vocab_size) + " rows");
    }
    c.tied_embeddings = file.tensor("output.weight") == nullptr;
    if (const ArchitectureTraits* arch = find_architecture(c.architecture)) {
        c.qkv_bias = arch->qkv_bias;
        c.qk_norm = arch->qk_norm;
        if (arch->gated_delta_net) read_hybrid_keys(keys, a, c);
    }

    c.bos_id = keys.optional_int("tokenizer.ggml.bos_token_id").value_or(-1);
    c.eos_id = keys.optional_int("tokenizer.ggml.eos_token_id").value_or(-1);
    c.pad_id = keys.optional_int("tokenizer.ggml.padding_token_id").value_or(-1);
    // Qwen's files state add_bos_token (false); a file that does not is taken not to want one.
    c.add_bos = keys.optional_bool("tokenizer.ggml.add_bos_token").value_or(false);
    const GgufValue* tmpl = keys.find("tokenizer.chat_template");
    c.has_chat_template = tmpl && tmpl->as_string() && !tmpl->as_string()->empty();
    return c;
}

}  // namespace qe
