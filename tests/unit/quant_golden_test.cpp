// Our dequantizers against files written by another implementation (llama.cpp's llama-quantize,
// see ../shared/golden/README.md): every quantized tensor of every golden file decodes to within
// its type's quantization error of the same tensor in the unquantized file. A wrong bit layout
// gives errors near or above 100%, so this pins bit-exactness against a real writer.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/mapped_file.h"
#include "io/gguf.h"
#include "quant/quant.h"

namespace qe {
namespace {

std::string golden(const std::string& name) {
    return std::string(QE_GOLDEN_DIR) + "/" + name;
}

std::vector<float> decode(const TensorView& t) {
    std::vector<float> y(static_cast<size_t>(t.elements()));
    const size_t rb = *row_bytes(t.dtype, t.cols());
    for (int64_t r = 0; r < t.rows(); ++r)
        dequantize_row(t.dtype, static_cast<const uint8_t*>(t.data) + size_t(r) * rb,
                       y.data() + r * t.cols(), t.cols());
    return y;
}

double relative_rmse(const std::vector<float>& ref, const std::vector<float>& got) {
    double err = 0, norm = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        err += (double(got[i]) - ref[i]) * (double(got[i]) - ref[i]);
        norm += double(ref[i]) * ref[i];
    }
    return std::sqrt(err / norm);
}

// Per-type bounds on relative RMS error: measured values (in the comments; they match our own
// quantizers' round trips on Gaussian data) with ~25% headroom. A layout error gives ~1 or more.
double bound(DType t) {
    switch (t) {
        case DType::F16:
            return 3e-4;  // 0.0002
        case DType::BF16:
            return 2.5e-3;  // 0.0017
        case DType::Q8_0:
            return 0.007;  // 0.0054
        case DType::Q6_K:
            return 0.023;  // 0.0177
        case DType::Q5_0:
            return 0.055;  // 0.0427
        case DType::Q5_1:
            return 0.050;  // 0.0378
        case DType::Q5_K:
            return 0.052;  // 0.0403
        case DType::Q4_0:
            return 0.11;  // 0.0859
        case DType::Q4_1:
            return 0.10;  // 0.0781
        case DType::Q4_K:
            return 0.095;  // 0.0735
        case DType::Q3_K:
            return 0.20;  // 0.1523
        case DType::Q2_K:
            return 0.38;  // 0.2965
        default:
            return 0.0;
    }
}

struct Model {
    MappedFile file;
    GgufFile gguf;
    explicit Model(const std::string& name)
        : file(golden(name)), gguf(parse_gguf(file.bytes(), file.path())) {}
};

// Compares every non-F32 tensor of `name` with the same tensor of `ref`; returns the types seen.
std::set<DType> compare_file(const std::string& name, const Model& ref, double extra = 0.0) {
    const Model m(name);
    std::set<DType> seen;
    for (const TensorView& t : m.gguf.tensors) {
        if (t.dtype == DType::F32) continue;
        const TensorView* r = ref.gguf.tensor(t.name);
        EXPECT_NE(r, nullptr) << name << ": " << t.name << " missing from the reference";
        if (!r) continue;
        EXPECT_EQ(r->shape, t.shape) << name << ": " << t.name;
        const double e = relative_rmse(decode(*r), decode(t));
        const double b = bound(t.dtype) + extra;
        std::printf("%-18s %-28s %-5s rel rmse %.4f (bound %.3f)\n", name.c_str(), t.name.c_str(),
                    std::string(dtype_name(t.dtype)).c_str(), e, b);
        EXPECT_LE(e, b) << name << ": " << t.name << " (" << dtype_name(t.dtype) << ")";
        EXPECT_GT(b, 0.0) << "no bound for " << dtype_name(t.dtype);
        seen.insert(t.dtype);
    }
    return seen;
}

TEST(QuantGolden, G448EveryTypeMatchesTheF32File) {
    const Model ref("g448-f32.gguf");
    std::set<DType> seen;
    for (const char* name :
         {"g448-f16.gguf", "g448-bf16.gguf", "g448-q8_0.gguf", "g448-q4_0.gguf", "g448-q4_1.gguf",
          "g448-q5_0.gguf", "g448-q5_1.gguf", "g448-q2_k.gguf", "g448-q3_k_m.gguf",
          "g448-q4_k_m.gguf", "g448-q5_k_m.gguf", "g448-q6_k.gguf"}) {
        const auto s = compare_file(name, ref);
        seen.insert(s.begin(), s.end());
    }
    for (DType t :
         {DType::F16, DType::BF16, DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1})
        EXPECT_TRUE(seen.count(t)) << "no " << dtype_name(t) << " tensor in the g448 files";
}

TEST(QuantGolden, G512KTypesAgreeWithEachOther) {
    // The g512 family has no float file; its Q6_K file is the reference (error ~2%), so the
    // bounds widen by that much.
    const Model ref("g512-q6_k.gguf");
    std::set<DType> seen;
    for (const char* name :
         {"g512-q2_k.gguf", "g512-q3_k_m.gguf", "g512-q4_k_m.gguf", "g512-q5_k_m.gguf"}) {
        const auto s = compare_file(name, ref, bound(DType::Q6_K));
        seen.insert(s.begin(), s.end());
    }
    for (DType t : {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K})
        EXPECT_TRUE(seen.count(t)) << "no " << dtype_name(t) << " tensor in the g512 files";
}

TEST(QuantGolden, G512Q6KAgreesWithTheQ5KFile) {
    // Q6_K is the reference above, so check it on its own: its tensors agree with the Q5_K file's
    // within both types' errors.
    const Model q6("g512-q6_k.gguf"), q5("g512-q5_k_m.gguf");
    int compared = 0;
    for (const TensorView& t : q6.gguf.tensors) {
        if (t.dtype != DType::Q6_K) continue;
        const TensorView* r = q5.gguf.tensor(t.name);
        ASSERT_NE(r, nullptr);
        EXPECT_LE(relative_rmse(decode(t), decode(*r)), bound(DType::Q6_K) + 0.07) << t.name;
        ++compared;
    }
    EXPECT_GT(compared, 0);
}

}  // namespace
}  // namespace qe
