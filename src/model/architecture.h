// The architectures this program runs and what sets them apart, as flags the config readers copy
// into ModelConfig and the weights binding and forward pass read: never a class per name.
//
// Adding an architecture: a row here, the config keys it needs (config_gguf.cpp, config_hf.cpp),
// its optional weights (weights.cpp) and the forward pass's few lines behind its flags
// (transformer.cpp, qwen2_reference.cpp); see docs/ARCHITECTURE.md.
#pragma once

#include <string_view>

namespace qe {

struct ArchitectureTraits {
    std::string_view name;           // general.architecture (GGUF)
    std::string_view hf_model_type;  // model_type (config.json); a text-only config may add
                                     // "_text" (qwen3_5_text)
    bool qkv_bias;                   // Q, K and V projections have a bias
    bool qk_norm;                    // an RMSNorm over each head of Q and of K, before RoPE
    // Hybrid (qwen35): Gated DeltaNet layers with a recurrent state between gated full-attention
    // layers (partial rotary, a sigmoid output gate carried by the Q projection).
    bool gated_delta_net = false;
};

// nullptr for an architecture this program does not run.
const ArchitectureTraits* find_architecture(std::string_view name);
// By config.json's model_type ("qwen3_5" or "qwen3_5_text" -> qwen35); nullptr when unknown.
const ArchitectureTraits* find_architecture_by_model_type(std::string_view model_type);

// "qwen2, qwen3, qwen35" (the names of every supported architecture, for messages)
std::string_view supported_architectures();

}  // namespace qe
