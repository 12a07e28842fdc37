#include "synth/quant_plan.h"

#include <array>
#include <charconv>

namespace qe::synth {
namespace {

struct Entry {
    std::string_view name;
    int id;
    DType base;
    bool pure;
};

constexpr std::array kFileTypes = {
    Entry{"f32", 0, DType::F32, false},      Entry{"f16", 1, DType::F16, false},
    Entry{"bf16", 32, DType::BF16, false},   Entry{"q4_0", 2, DType::Q4_0, false},
    Entry{"q4_1", 3, DType::Q4_1, false},    Entry{"q5_0", 8, DType::Q5_0, false},
    Entry{"q5_1", 9, DType::Q5_1, false},    Entry{"q8_0", 7, DType::Q8_0, false},
    Entry{"q2_k", 10, DType::Q2_K, false},   Entry{"q3_k_s", 11, DType::Q3_K, false},
    Entry{"q3_k_m", 12, DType::Q3_K, false}, Entry{"q3_k_l", 13, DType::Q3_K, false},
    Entry{"q4_k_s", 14, DType::Q4_K, false}, Entry{"q4_k_m", 15, DType::Q4_K, false},
    Entry{"q5_k_s", 16, DType::Q5_K, false}, Entry{"q5_k_m", 17, DType::Q5_K, false},
    Entry{"q6_k", 18, DType::Q6_K, false},   Entry{"q3_k", 12, DType::Q3_K, true},
    Entry{"q4_k", 15, DType::Q4_K, true},    Entry{"q5_k", 17, DType::Q5_K, true},
};

bool more_bits(int i, int n) {
    return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

// The layer of "blk.N.…", or -1.
int layer_of(const std::string& name) {
    if (name.rfind("blk.", 0) != 0) return -1;
    int layer = -1;
    const char* begin = name.data() + 4;
    std::from_chars(begin, name.data() + name.size(), layer);
    return layer;
}

bool contains(const std::string& s, std::string_view part) {
    return s.find(part) != std::string::npos;
}

DType fallback(DType t, int64_t row) {
    if (row % dtype_info(t).block_elems == 0) return t;
    switch (t) {
        case DType::Q2_K:
        case DType::Q3_K:
            t = DType::Q4_0;
            break;
        case DType::Q4_K:
            t = DType::Q5_0;
            break;
        case DType::Q5_K:
            t = DType::Q5_1;
            break;
        case DType::Q6_K:
            t = DType::Q8_0;
            break;
        default:
            break;
    }
    return row % dtype_info(t).block_elems == 0 ? t : DType::F16;
}

}  // namespace

std::optional<FileType> parse_file_type(std::string_view name) {
    for (const auto& e : kFileTypes) {
        if (e.name == name) return FileType{std::string(e.name), e.id, e.base, e.pure};
    }
    return std::nullopt;
}

std::vector<std::string> file_type_names() {
    std::vector<std::string> names;
    for (const auto& e : kFileTypes) names.emplace_back(e.name);
    return names;
}

DType tensor_type(const FileType& file, const std::string& name, const std::vector<int64_t>& shape,
                  const TensorContext& ctx) {
    // 1-D tensors (norms, biases, Qwen3.5's ssm_a) and the small conv kernel of Qwen3.5's
    // DeltaNet layers, which the converter keeps F32 and llama-quantize never quantizes.
    if (shape.size() < 2 || contains(name, "ssm_conv1d")) return DType::F32;
    const bool quantized =
        file.base != DType::F32 && file.base != DType::F16 && file.base != DType::BF16;
    const int64_t row = shape.back();
    if (!quantized) return file.base;
    if (file.pure) return fallback(file.base, row);

    const std::string& f = file.name;
    DType t = file.base;
    const int layer = layer_of(name);
    const int n = ctx.n_layers;
    if (name == "output.weight" || (!ctx.has_output && name == "token_embd.weight")) {
        if (row % dtype_info(file.base).block_elems != 0) {
            t = DType::Q8_0;
        } else if (file.base != DType::Q8_0) {
            t = DType::Q6_K;
        }
    } else if (contains(name, "attn_v.weight") || contains(name, "attn_qkv.weight")) {
        // llama-quantize treats a fused QKV like attn_v and counts both in one sequence; with one
        // of them per layer (Qwen3.5: attn_qkv in DeltaNet layers, attn_v in attention layers)
        // that sequence's index is the layer.
        const int gqa = ctx.n_kv_heads > 0 ? ctx.n_heads / ctx.n_kv_heads : 1;
        if (f == "q2_k") {
            t = gqa >= 4 ? DType::Q4_K : DType::Q3_K;
        } else if (f == "q3_k_m") {
            t = layer < 2 ? DType::Q5_K : DType::Q4_K;
        } else if (f == "q3_k_l") {
            t = DType::Q5_K;
        } else if ((f == "q4_k_m" || f == "q5_k_m") && more_bits(layer, n)) {
            t = DType::Q6_K;
        } else if (f == "q4_k_s" && layer < 4) {
            t = DType::Q5_K;
        }
    } else if (contains(name, "ffn_down")) {
        if (f == "q2_k") {
            t = DType::Q3_K;
        } else if (f == "q3_k_m") {
            t = layer < n / 16 ? DType::Q5_K : DType::Q4_K;
        } else if (f == "q3_k_l") {
            t = DType::Q5_K;
        } else if ((f == "q4_k_m" || f == "q5_k_m") && more_bits(layer, n)) {
            t = DType::Q6_K;
        } else if (f == "q4_k_s" && layer < n / 8) {
            t = DType::Q5_K;
        }
    } else if (contains(name, "attn_output.weight")) {
        if (f == "q2_k") {
            t = DType::Q3_K;
        } else if (f == "q3_k_m") {
            t = DType::Q4_K;
        } else if (f == "q3_k_l") {
            t = DType::Q5_K;
        }
    }
    return fallback(t, row);
}

}  // namespace qe::synth
