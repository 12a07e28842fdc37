#include "model/architecture.h"

namespace qe {
namespace {

constexpr ArchitectureTraits kArchitectures[] = {
    {"qwen2", /*qkv_bias=*/true, /*qk_norm=*/false},
    {"qwen3", /*qkv_bias=*/false, /*qk_norm=*/true},
    {"qwen35", /*qkv_bias=*/false, /*qk_norm=*/true, /*gated_delta_net=*/true},
};

}  // namespace

const ArchitectureTraits* find_architecture(std::string_view name) {
    for (const ArchitectureTraits& a : kArchitectures)
        if (a.name == name) return &a;
    return nullptr;
}

std::string_view supported_architectures() {
    return "qwen2, qwen3, qwen35";
}

}  // namespace qe
