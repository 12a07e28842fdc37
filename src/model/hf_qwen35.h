// Qwen3.5 Hugging Face checkpoints hold some tensors in another form than the GGUF files
// llama.cpp's converter makes of them (convert_hf_to_gguf.py: Qwen3NextModel.modify_tensors and
// _LinearAttentionVReorderBase, which Qwen3_5TextModel inherits). The engine reads the GGUF form,
// so a folder's tensors go through the same transforms at load:
//   - RMSNorm weights: transformers' Qwen3.5 RMSNorm scales by (1 + w) computed in float32 (its
//     weights are zero-centred); the converter stores 1 + w. So for attn_norm
//     (input_layernorm), post_attention_norm, attn_q_norm, attn_k_norm and output_norm: F32 1 + w.
//     The DeltaNet output norm (linear_attn.norm, GGUF ssm_norm) is a plain gated RMSNorm scaling
//     by w: kept as is.
//   - A_log [v heads] (F32 in the official files): the decay rate is -exp(A_log), which the
//     converter stores as ssm_a; so ssm_a = -exp(A_log), in float32.
//   - conv1d.weight [conv channels, 1, kernel] (a depthwise Conv1d): squeezed to
//     ssm_conv1d [conv channels, kernel], the same bytes.
//   - Value heads: with fewer key than value heads (Qwen3.5 >= 4B) a checkpoint groups the value
//     heads by key head (value head kh * r + j, r = v heads / k heads, belongs to key head kh);
//     the converter reorders them to tiled order (position j * k heads + kh), in which value head
//     h uses key head h % k heads, as the engine does. That moves the value rows of attn_qkv
//     (after the 2 x k dim q and k rows) and of ssm_conv1d, the rows of attn_gate, ssm_alpha,
//     ssm_beta, the elements of ssm_a and ssm_dt.bias, and the value columns of ssm_out. The
//     small models (0.8B, 2B) have as many key as value heads: nothing moves.
// Every other tensor (q_proj with its per-head [query | gate] halves, dt_bias, in_proj_qkv's
// [q | k | v] row blocks, the MLP) is the same in both forms.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "model/config.h"

namespace qe {

// Tensor data a model file owns (values computed at load): 8-byte words keep it aligned.
using OwnedTensorData = std::vector<std::vector<uint64_t>>;

// Turns the tensors of a Qwen3.5 folder, already under their GGUF names, into the GGUF form
// (above); new values are kept in `owned`. Throws qe::Error naming `where` and the tensor when a
// tensor to transform has a type or shape it cannot be.
void qwen35_tensors_from_hf(std::vector<TensorView>& tensors, const ModelConfig& c,
                            OwnedTensorData& owned, const std::string& where);

}  // namespace qe
