// config.json of a Qwen3.5 Hugging Face folder, as Qwen/Qwen3.5-0.8B's is structured.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "synth/synth_model.h"
#include "synth/synth_vocab.h"

namespace qe::synth {

// Qwen3_5ForConditionalGeneration: at the top the vision tower's token ids and vision_config
// (Qwen3.5-0.8B's tower; this tool writes no vision tensors), tie_word_embeddings, and the text
// model's keys in text_config (model_type qwen3_5_text): the layer_types list and
// full_attention_interval, the linear_* DeltaNet sizes, head_dim, attn_output_gate, and
// rope_parameters with rope_theta, partial_rotary_factor (rope dims / head size) and the
// interleaved MRoPE sections. `params` is the tool's description of the file.
nlohmann::json qwen35_hf_config(const Shape& s, const SynthVocab& vocab, const char* torch_dtype,
                                const std::string& params);

// The interleaved MRoPE sections of the rotated pairs ([11, 11, 10] for 64 rotated dims), as
// GGUF's rope.dimension_sections holds them (a fourth 0) or config.json's mrope_section (three).
std::vector<int> mrope_sections(const Shape& s, bool gguf);

}  // namespace qe::synth
