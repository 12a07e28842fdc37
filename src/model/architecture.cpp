#include "model/architecture.h"

namespace qe {
namespace {

constexpr ArchitectureTraits kArchitectures[] = {
    {"qwen2", "qwen2", /*qkv_bias=*/true, /*qk_norm=*/false},
    {"qwen3", "qwen3", /*qkv_bias=*/false, /*qk_norm=*/true},
    {"qwen35", "qwen3_5", /*qkv_bias=*/false, /*qk_norm=*/true, /*gated_delta_net=*/true},
};

}  // namespace

const ArchitectureTraits* find_architecture(std::string_view name) {
    for (const ArchitectureTraits& a : kArchitectures)
        if (a.name == name) return &a;
    return nullptr;
}

const ArchitectureTraits* find_architecture_by_model_type(std::string_view model_type) {
    for (const ArchitectureTraits& a : kArchitectures) {
        std::string_view t = model_type;
        if (t.ends_with("_text")) t.remove_suffix(5);
        if (a.hf_model_type == t) return &a;
    }
    return nullptr;
}

std::string_view supported_architectures() {
    return "qwen2, qwen3, qwen35";
}

}  // namespace qe
