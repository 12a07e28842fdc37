// Tiny Qwen2-shaped models written in both formats, for loader tests. Values are a simple
// deterministic pattern (tests here check structure, not numerics).
#pragma once

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/half.h"
#include "io/gguf_writer.h"
#include "io/safetensors_writer.h"
#include "model/hf_names.h"

namespace qe::test {

struct TinyShape {
    int layers = 2;
    int dim = 64;
    int heads = 4;
    int kv_heads = 2;
    int ffn = 96;
    int vocab = 80;
    bool tied = true;
};

// Every tensor of a Qwen2 model: GGUF name and shape (outermost first).
inline std::vector<std::pair<std::string, std::vector<int64_t>>> qwen2_tensors(const TinyShape& s) {
    const int64_t head_dim = s.dim / s.heads, kv = int64_t(s.kv_heads) * head_dim;
    std::vector<std::pair<std::string, std::vector<int64_t>>> out = {
        {"token_embd.weight", {s.vocab, s.dim}}, {"output_norm.weight", {s.dim}}};
    if (!s.tied) out.push_back({"output.weight", {s.vocab, s.dim}});
    for (int l = 0; l < s.layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        out.push_back({b + "attn_norm.weight", {s.dim}});
        out.push_back({b + "attn_q.weight", {s.dim, s.dim}});
        out.push_back({b + "attn_q.bias", {s.dim}});
        out.push_back({b + "attn_k.weight", {kv, s.dim}});
        out.push_back({b + "attn_k.bias", {kv}});
        out.push_back({b + "attn_v.weight", {kv, s.dim}});
        out.push_back({b + "attn_v.bias", {kv}});
        out.push_back({b + "attn_output.weight", {s.dim, s.dim}});
        out.push_back({b + "ffn_norm.weight", {s.dim}});
        out.push_back({b + "ffn_gate.weight", {s.ffn, s.dim}});
        out.push_back({b + "ffn_up.weight", {s.ffn, s.dim}});
        out.push_back({b + "ffn_down.weight", {s.dim, s.ffn}});
    }
    return out;
}

inline int64_t element_count(const std::vector<int64_t>& shape) {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

// BF16 bytes of a pattern that depends on the tensor's index.
inline std::vector<uint8_t> bf16_pattern(size_t index, int64_t n) {
    std::vector<uint8_t> out(size_t(n) * 2);
    for (int64_t i = 0; i < n; ++i) {
        const uint16_t b = f32_to_bf16(float((i * 7 + int64_t(index) * 3) % 23 - 11) / 16.0f);
        std::memcpy(&out[size_t(i) * 2], &b, 2);
    }
    return out;
}

inline GgufWriter tiny_gguf(const TinyShape& s) {
    namespace gv = gguf_value;
    GgufWriter w;
    w.set("general.architecture", gv::str("qwen2"));
    w.set("general.name", gv::str("tiny"));
    w.set("qwen2.block_count", gv::u32(uint32_t(s.layers)));
    w.set("qwen2.context_length", gv::u32(256));
    w.set("qwen2.embedding_length", gv::u32(uint32_t(s.dim)));
    w.set("qwen2.feed_forward_length", gv::u32(uint32_t(s.ffn)));
    w.set("qwen2.attention.head_count", gv::u32(uint32_t(s.heads)));
    w.set("qwen2.attention.head_count_kv", gv::u32(uint32_t(s.kv_heads)));
    w.set("qwen2.rope.freq_base", gv::f32(1e6f));
    w.set("qwen2.attention.layer_norm_rms_epsilon", gv::f32(1e-6f));
    std::vector<std::string> tokens;
    for (int i = 0; i < s.vocab; ++i) tokens.push_back(std::string("t").append(std::to_string(i)));
    tokens[size_t(s.vocab - 2)] = "<|endoftext|>";
    tokens[size_t(s.vocab - 1)] = "<|im_end|>";
    w.set("tokenizer.ggml.model", gv::str("gpt2"));
    w.set("tokenizer.ggml.tokens", gv::strings(tokens));
    w.set("tokenizer.ggml.eos_token_id", gv::u32(uint32_t(s.vocab - 1)));
    w.set("tokenizer.ggml.padding_token_id", gv::u32(uint32_t(s.vocab - 2)));
    w.set("tokenizer.ggml.bos_token_id", gv::u32(uint32_t(s.vocab - 2)));
    w.set("tokenizer.ggml.add_bos_token", gv::boolean(false));
    w.set("tokenizer.chat_template", gv::str("{{ messages }}"));
    const auto tensors = qwen2_tensors(s);
    for (size_t i = 0; i < tensors.size(); ++i) {
        const auto& [name, shape] = tensors[i];
        w.add_tensor(name, DType::BF16, shape, bf16_pattern(i, element_count(shape)));
    }
    return w;
}

inline void write_json(const std::filesystem::path& path, const nlohmann::json& j) {
    std::ofstream(path) << j.dump(2);
}

inline nlohmann::json tiny_hf_config(const TinyShape& s) {
    return {{"architectures", {"Qwen2ForCausalLM"}},
            {"model_type", "qwen2"},
            {"num_hidden_layers", s.layers},
            {"hidden_size", s.dim},
            {"num_attention_heads", s.heads},
            {"num_key_value_heads", s.kv_heads},
            {"intermediate_size", s.ffn},
            {"vocab_size", s.vocab},
            {"max_position_embeddings", 256},
            {"rope_theta", 1000000.0},
            {"rms_norm_eps", 1e-6},
            {"tie_word_embeddings", s.tied},
            {"bos_token_id", s.vocab - 2},
            {"eos_token_id", s.vocab - 1},
            {"torch_dtype", "bfloat16"}};
}

// A Hugging Face folder with the same tensors as tiny_gguf(s): one file, or one shard per layer
// group plus model.safetensors.index.json.
inline void write_tiny_hf(const std::filesystem::path& dir, const TinyShape& s, bool sharded) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    write_json(dir / "config.json", tiny_hf_config(s));
    write_json(dir / "generation_config.json", {{"bos_token_id", s.vocab - 2},
                                                {"eos_token_id", {s.vocab - 1, s.vocab - 2}},
                                                {"pad_token_id", s.vocab - 2}});
    write_json(dir / "tokenizer_config.json",
               {{"add_bos_token", false}, {"chat_template", "{{ messages }}"}});
    const auto tensors = qwen2_tensors(s);
    std::vector<SafetensorsWriter> shards(sharded ? 2 : 1);
    nlohmann::json weight_map = nlohmann::json::object();
    for (size_t i = 0; i < tensors.size(); ++i) {
        const auto& [name, shape] = tensors[i];
        const std::string hf = hf_name_from_gguf(name).value();
        const size_t shard = sharded ? i % 2 : 0;
        shards[shard].add_tensor(hf, DType::BF16, shape, bf16_pattern(i, element_count(shape)));
        weight_map[hf] = "model-0000" + std::to_string(shard + 1) + "-of-00002.safetensors";
    }
    if (!sharded) {
        shards[0].set_metadata("format", "pt");
        shards[0].write_file((dir / "model.safetensors").string());
        return;
    }
    for (size_t k = 0; k < shards.size(); ++k) {
        shards[k].write_file(
            (dir / ("model-0000" + std::to_string(k + 1) + "-of-00002.safetensors")).string());
    }
    write_json(dir / "model.safetensors.index.json",
               {{"metadata", {{"total_size", 0}}}, {"weight_map", weight_map}});
}

}  // namespace qe::test
