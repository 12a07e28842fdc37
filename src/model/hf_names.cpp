#include "model/hf_names.h"

#include <array>
#include <charconv>
#include <utility>

namespace qe {
namespace {

// Whole-model tensors.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kGlobal = {{
    {"model.embed_tokens.weight", "token_embd.weight"},
    {"model.norm.weight", "output_norm.weight"},
    {"lm_head.weight", "output.weight"},
}};

// Per-layer tensors: the part after "model.layers.N." and after "blk.N.".
constexpr std::array<std::pair<std::string_view, std::string_view>, 15> kLayer = {{
    {"input_layernorm.weight", "attn_norm.weight"},
    {"self_attn.q_proj.weight", "attn_q.weight"},
    {"self_attn.q_proj.bias", "attn_q.bias"},
    {"self_attn.q_norm.weight", "attn_q_norm.weight"},
    {"self_attn.k_norm.weight", "attn_k_norm.weight"},
    {"self_attn.k_proj.weight", "attn_k.weight"},
    {"self_attn.k_proj.bias", "attn_k.bias"},
    {"self_attn.v_proj.weight", "attn_v.weight"},
    {"self_attn.v_proj.bias", "attn_v.bias"},
    {"self_attn.o_proj.weight", "attn_output.weight"},
    {"post_attention_layernorm.weight", "ffn_norm.weight"},
    {"mlp.gate_proj.weight", "ffn_gate.weight"},
    {"mlp.up_proj.weight", "ffn_up.weight"},
    {"mlp.down_proj.weight", "ffn_down.weight"},
    {"self_attn.o_proj.bias", "attn_output.bias"},
}};

// Splits "PREFIX<N>.<rest>" into N and rest; N is a plain decimal without leading zeros.
std::optional<std::pair<int, std::string_view>> split_layer(std::string_view name,
                                                            std::string_view prefix) {
    if (!name.starts_with(prefix)) return std::nullopt;
    name.remove_prefix(prefix.size());
    const size_t dot = name.find('.');
    if (dot == std::string_view::npos || dot == 0 || (dot > 1 && name[0] == '0')) {
        return std::nullopt;
    }
    int layer = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + dot, layer);
    if (ec != std::errc() || end != name.data() + dot) return std::nullopt;
    return std::make_pair(layer, name.substr(dot + 1));
}

template <bool kFromHf>
std::optional<std::string> translate(std::string_view name) {
    for (const auto& [hf, gguf] : kGlobal) {
        if (name == (kFromHf ? hf : gguf)) return std::string(kFromHf ? gguf : hf);
    }
    const auto split = split_layer(name, kFromHf ? "model.layers." : "blk.");
    if (!split) return std::nullopt;
    for (const auto& [hf, gguf] : kLayer) {
        if (split->second == (kFromHf ? hf : gguf)) {
            return std::string(kFromHf ? "blk." : "model.layers.") + std::to_string(split->first) +
                   "." + std::string(kFromHf ? gguf : hf);
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> gguf_name_from_hf(std::string_view hf_name) {
    return translate<true>(hf_name);
}

std::optional<std::string> hf_name_from_gguf(std::string_view gguf_name) {
    return translate<false>(gguf_name);
}

}  // namespace qe
