#include "model/hf_names.h"

#include <array>
#include <charconv>
#include <span>
#include <utility>

namespace qe {
namespace {

using NamePair = std::pair<std::string_view, std::string_view>;  // {Hugging Face, GGUF}

// Whole-model tensors (after the text model's prefix, but for lm_head.weight).
constexpr std::array<NamePair, 2> kGlobal = {{
    {"embed_tokens.weight", "token_embd.weight"},
    {"norm.weight", "output_norm.weight"},
}};
constexpr NamePair kOutput = {"lm_head.weight", "output.weight"};

// Per-layer tensors: the part after "layers.N." and after "blk.N.".
constexpr std::array<NamePair, 14> kLayer = {{
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
    {"self_attn.o_proj.bias", "attn_output.bias"},
    {"mlp.gate_proj.weight", "ffn_gate.weight"},
    {"mlp.up_proj.weight", "ffn_up.weight"},
    {"mlp.down_proj.weight", "ffn_down.weight"},
}};
constexpr NamePair kTransformerFfnNorm = {"post_attention_layernorm.weight", "ffn_norm.weight"};

// Qwen3.5's own per-layer names.
constexpr std::array<NamePair, 10> kHybridLayer = {{
    {"post_attention_layernorm.weight", "post_attention_norm.weight"},
    {"linear_attn.in_proj_qkv.weight", "attn_qkv.weight"},
    {"linear_attn.in_proj_z.weight", "attn_gate.weight"},
    {"linear_attn.in_proj_a.weight", "ssm_alpha.weight"},
    {"linear_attn.in_proj_b.weight", "ssm_beta.weight"},
    {"linear_attn.conv1d.weight", "ssm_conv1d.weight"},
    {"linear_attn.A_log", "ssm_a"},
    {"linear_attn.dt_bias", "ssm_dt.bias"},
    {"linear_attn.norm.weight", "ssm_norm.weight"},
    {"linear_attn.out_proj.weight", "ssm_out.weight"},
}};

// Prefixes of the text model: the first is the one written.
constexpr std::array<std::string_view, 1> kTransformerPrefixes = {"model."};
constexpr std::array<std::string_view, 2> kHybridPrefixes = {"model.language_model.", "model."};

// Splits "<N>.<rest>" into N and rest; N is a plain decimal without leading zeros.
std::optional<std::pair<int, std::string_view>> split_layer(std::string_view name) {
    const size_t dot = name.find('.');
    if (dot == std::string_view::npos || dot == 0 || (dot > 1 && name[0] == '0')) {
        return std::nullopt;
    }
    int layer = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + dot, layer);
    if (ec != std::errc() || end != name.data() + dot) return std::nullopt;
    return std::make_pair(layer, name.substr(dot + 1));
}

// The name of `name` in the other format, looked up in `table`; `from_hf` picks the direction.
std::optional<std::string_view> lookup(std::span<const NamePair> table, std::string_view name,
                                       bool from_hf) {
    for (const auto& [hf, gguf] : table)
        if (name == (from_hf ? hf : gguf)) return from_hf ? gguf : hf;
    return std::nullopt;
}

std::optional<std::string_view> lookup_layer(std::string_view rest, HfLayout layout, bool from_hf) {
    if (layout == HfLayout::Hybrid) {
        if (auto n = lookup(kHybridLayer, rest, from_hf)) return n;
    } else if (auto n = lookup(std::span(&kTransformerFfnNorm, 1), rest, from_hf)) {
        return n;
    }
    return lookup(kLayer, rest, from_hf);
}

std::span<const std::string_view> prefixes(HfLayout layout) {
    if (layout == HfLayout::Hybrid) return kHybridPrefixes;
    return kTransformerPrefixes;
}

}  // namespace

std::optional<std::string> gguf_name_from_hf(std::string_view name, HfLayout layout) {
    if (name == kOutput.first) return std::string(kOutput.second);
    for (const std::string_view prefix : prefixes(layout)) {
        if (!name.starts_with(prefix)) continue;
        const std::string_view rest = name.substr(prefix.size());
        if (auto global = lookup(kGlobal, rest, true)) return std::string(*global);
        if (!rest.starts_with("layers.")) continue;
        const auto split = split_layer(rest.substr(7));
        if (!split) continue;
        if (auto layer = lookup_layer(split->second, layout, true))
            return "blk." + std::to_string(split->first) + "." + std::string(*layer);
    }
    return std::nullopt;
}

std::optional<std::string> hf_name_from_gguf(std::string_view name, HfLayout layout) {
    if (name == kOutput.second) return std::string(kOutput.first);
    const std::string prefix(prefixes(layout).front());
    if (auto global = lookup(kGlobal, name, false)) return prefix + std::string(*global);
    if (!name.starts_with("blk.")) return std::nullopt;
    const auto split = split_layer(name.substr(4));
    if (!split) return std::nullopt;
    const auto layer = lookup_layer(split->second, layout, false);
    if (!layer) return std::nullopt;
    return prefix + "layers." + std::to_string(split->first) + "." + std::string(*layer);
}

}  // namespace qe
