// Tensor names: the model speaks GGUF's names (token_embd.weight, blk.N.attn_q.weight, ...);
// Hugging Face checkpoints name the same tensors after the PyTorch modules
// (model.embed_tokens.weight, model.layers.N.self_attn.q_proj.weight, ...). Shapes agree: both
// are [out_features, in_features] outermost first.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace qe {

// The GGUF name of a Qwen2 Hugging Face tensor; nullopt for a name outside the mapping.
std::optional<std::string> gguf_name_from_hf(std::string_view hf_name);

// The reverse: the Hugging Face name of a GGUF tensor name; nullopt outside the mapping.
std::optional<std::string> hf_name_from_gguf(std::string_view gguf_name);

}  // namespace qe
