// Tensor names: the model speaks GGUF's names (token_embd.weight, blk.N.attn_q.weight, ...);
// Hugging Face checkpoints name the same tensors after the PyTorch modules
// (model.embed_tokens.weight, model.layers.N.self_attn.q_proj.weight, ...). Shapes agree: both
// are [out_features, in_features] outermost first.
//
// Qwen3.5 (hybrid) checkpoints differ in three ways, as llama.cpp's converter maps them:
//   - the text model sits under model.language_model. (Qwen3_5ForConditionalGeneration, the
//     official folders) or model. (a text-only Qwen3_5ForCausalLM); lm_head.weight stays at the
//     top; the vision tower (model.visual.*) and the multi-token-prediction block (mtp.*) have
//     no GGUF name here;
//   - post_attention_layernorm is GGUF's post_attention_norm (not ffn_norm);
//   - the Gated DeltaNet layers' linear_attn.* modules: in_proj_qkv -> attn_qkv, in_proj_z ->
//     attn_gate, in_proj_a -> ssm_alpha, in_proj_b -> ssm_beta, conv1d -> ssm_conv1d, A_log ->
//     ssm_a, dt_bias -> ssm_dt.bias, norm -> ssm_norm, out_proj -> ssm_out.
// Names only: the values the converter changes on the way are undone by model/hf_qwen35.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace qe {

enum class HfLayout {
    Transformer,  // Qwen2, Qwen3
    Hybrid,       // Qwen3.5
};

// The GGUF name of a Hugging Face tensor; nullopt for a name outside the mapping.
std::optional<std::string> gguf_name_from_hf(std::string_view hf_name,
                                             HfLayout layout = HfLayout::Transformer);

// The reverse: the Hugging Face name of a GGUF tensor name (a hybrid model's under
// model.language_model., as the official folders have it); nullopt outside the mapping.
std::optional<std::string> hf_name_from_gguf(std::string_view gguf_name,
                                             HfLayout layout = HfLayout::Transformer);

}  // namespace qe
