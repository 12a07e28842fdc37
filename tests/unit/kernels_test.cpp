// Every SIMD kernel table this machine can run (plus the AVX-512 table built through SIMDe) against
// the generic scalar table: activation quantization must be byte-identical; matrix products must
// agree within float rounding (integer block sums are exact, only the order of float additions
// differs), over many lengths (in blocks), row counts covering every tile remainder, row ranges,
// token counts and misaligned inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "core/error.h"
#include "core/half.h"
#include "core/mapped_file.h"
#include "core/thread_pool.h"
#include "kernels/cpu_features.h"
#include "kernels/kernels.h"
#include "quant/quant.h"

namespace qe {
#ifdef QE_HAVE_AVX512_EMULATED
const KernelTable& avx512_emulated_table();
#endif

namespace {

std::vector<const KernelTable*> simd_tables() {
    std::vector<const KernelTable*> v;
    for (Isa isa : {Isa::Avx2, Isa::Avx512, Isa::Neon})
        if (const KernelTable* t = kernel_table(isa)) v.push_back(t);
#ifdef QE_HAVE_AVX512_EMULATED
    if (kernel_table(Isa::Avx2)) v.push_back(&avx512_emulated_table());  // runs on AVX2 code
#endif
    return v;
}

const KernelTable& ref() {
    return *kernel_table(Isa::Generic);
}

std::string table_name(const KernelTable& t) {
    return std::string(t.name) + (&t == kernel_table(t.isa) ? "" : " (emulated)");
}

std::vector<float> random_floats(size_t n, uint32_t seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, scale);
    std::vector<float> x(n);
    for (auto& v : x) v = dist(rng);
    return x;
}

constexpr DType kWeightTypes[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q4_0, DType::Q4_1,
                                  DType::Q5_0, DType::Q5_1, DType::Q8_0, DType::Q2_K, DType::Q3_K,
                                  DType::Q4_K, DType::Q5_K, DType::Q6_K};

// A weight matrix with random values stored at a byte offset from an aligned buffer.
struct TestMatrix {
    std::vector<uint8_t> storage;
    std::vector<float> values;  // dequantized, [rows, cols]
    Matrix m;
};

TestMatrix make_test_matrix(DType t, int64_t rows, int64_t cols, size_t offset, uint32_t seed) {
    TestMatrix tm;
    const auto src = random_floats(size_t(rows * cols), seed);
    const size_t rb = *row_bytes(t, cols);
    tm.storage.assign(offset + size_t(rows) * rb + 64, 0xcd);
    uint8_t* data = tm.storage.data() + offset;
    for (int64_t r = 0; r < rows; ++r) quantize_row(t, src.data() + r * cols, data + r * rb, cols);
    tm.values.resize(size_t(rows * cols));
    for (int64_t r = 0; r < rows; ++r)
        dequantize_row(t, data + r * rb, tm.values.data() + r * cols, cols);
    tm.m = Matrix{t, rows, cols, data, rb, kLayoutRows, nullptr};
    return tm;
}

// Float rounding bound for one dot product: a few float epsilons times the sum of |w * x|
// (sequential float sums of k terms err by at most ~k * eps relative to that sum; the tables
// use <= ~64 sequential additions per dot at these sizes, and the offset/min corrections at most
// double the magnitudes involved).
double tolerance(const float* w, const float* x, int64_t n) {
    double mag = 0;
    for (int64_t i = 0; i < n; ++i) mag += std::fabs(double(w[i]) * double(x[i]));
    return 64 * 6e-8 * mag + 1e-30;
}

int64_t block_of(DType t) {
    return dtype_info(t).block_elems;
}

std::vector<int64_t> col_counts(DType t) {
    // Lengths in blocks 1 .. 2 x (blocks per widest register pair) and beyond; float types in
    // elements 1 .. 2 x 64 plus odd tails.
    if (block_of(t) == 1) return {1, 2, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 100, 128, 129, 200};
    if (block_of(t) == 32) {
        std::vector<int64_t> v;
        for (int nb = 1; nb <= 10; ++nb) v.push_back(32 * nb);
        v.push_back(32 * 28);  // 896
        return v;
    }
    return {256, 512, 768, 1024};
}

TEST(Kernels, TablesExist) {
    ASSERT_NE(kernel_table(Isa::Generic), nullptr);
    EXPECT_EQ(kernel_table(Isa::Generic)->isa, Isa::Generic);
    EXPECT_NE(kernels().name, nullptr);
    for (const KernelTable* t : simd_tables()) {
        for (DType d : kWeightTypes) {
            EXPECT_NE(t->mat[int(d)].matvec, nullptr) << t->name << " " << dtype_name(d);
            EXPECT_NE(t->mat[int(d)].matmul, nullptr) << t->name << " " << dtype_name(d);
        }
    }
    std::printf("tables under test:");
    for (const KernelTable* t : simd_tables()) std::printf(" %s", table_name(*t).c_str());
    std::printf("\n");
}

TEST(Kernels, NeonTableMatchesTheCpu) {
    // Every aarch64 CPU gets a NEON table; only one with sdot (Pi 5, not Pi 4) the dotprod build,
    // whose instructions would fault elsewhere.
    const KernelTable* neon = kernel_table(Isa::Neon);
#if defined(__aarch64__)
    ASSERT_NE(neon, nullptr);
    EXPECT_EQ(neon->isa, Isa::Neon);
    EXPECT_EQ(std::string(neon->name), cpu_features().neon_dotprod ? "neon" : "neon-plain");
#else
    EXPECT_FALSE(cpu_features().neon_dotprod);
    EXPECT_EQ(neon, nullptr);
#endif
}

TEST(Kernels, ActFormatsAndMatrixChecks) {
    EXPECT_EQ(act_format(DType::Q4_0), ActFormat::Q8_32);
    EXPECT_EQ(act_format(DType::Q6_K), ActFormat::Q8_256);
    EXPECT_EQ(act_format(DType::BF16), ActFormat::F32);
    EXPECT_THROW(act_format(DType::Q8_K), Error);
    EXPECT_EQ(act_row_bytes(ActFormat::Q8_32, 896) % 64, 0u);
    EXPECT_GE(act_row_bytes(ActFormat::Q8_32, 896), 896u + 28 * 8);

    std::vector<uint8_t> bytes(18 * 3 * 2);
    TensorView t{"w", DType::Q4_0, {2, 96}, bytes.data(), bytes.size()};
    const Matrix m = make_matrix(t);
    EXPECT_EQ(m.rows, 2);
    EXPECT_EQ(m.cols, 96);
    EXPECT_EQ(m.row_bytes, 54u);
    t.nbytes -= 1;
    EXPECT_THROW(make_matrix(t), Error);
    t.nbytes += 1;
    t.shape = {2, 95};
    EXPECT_THROW(make_matrix(t), Error);
    t.shape = {2, 2, 24};
    EXPECT_THROW(make_matrix(t), Error);
}

TEST(Kernels, ActivationQuantizationIsBitIdentical) {
    for (const KernelTable* t : simd_tables()) {
        SCOPED_TRACE(table_name(*t));
        for (ActFormat f : {ActFormat::F32, ActFormat::Q8_32, ActFormat::Q8_256}) {
            const int64_t blk = f == ActFormat::F32 ? 32 : act_block(f);
            for (int64_t nb = 1; nb <= 9; ++nb) {
                const int64_t cols = blk * nb;
                auto x = random_floats(size_t(cols), uint32_t(nb * 7 + int(f)), 3.0f);
                if (nb == 2) std::fill(x.begin(), x.begin() + blk, 0.0f);  // an all-zero block
                const size_t rb = act_row_bytes(f, cols);
                std::vector<uint8_t> a(rb, 0), b(rb, 0);
                ref().quantize[int(f)](x.data(), a.data(), cols);
                t->quantize[int(f)](x.data(), b.data(), cols);
                ASSERT_EQ(a, b) << "format " << int(f) << " cols " << cols;
            }
        }
    }
}

void check_matvec(const KernelTable& t, DType type, int64_t rows, int64_t cols, size_t offset,
                  uint32_t seed) {
    const TestMatrix tm = make_test_matrix(type, rows, cols, offset, seed);
    const ActFormat f = act_format(type);
    const auto x = random_floats(size_t(cols), seed + 1);
    std::vector<uint8_t> xq(act_row_bytes(f, cols) + 64);
    uint8_t* xa = xq.data() + (64 - reinterpret_cast<uintptr_t>(xq.data()) % 64) % 64;
    ref().quantize[int(f)](x.data(), xa, cols);

    // Both layouts the table accepts: GGUF rows, and its own packing (if any).
    Matrix packed = tm.m;
    if (t.pack) t.pack(packed);
    // Full range, and a sub-range that must leave the rest of y untouched.
    for (const Matrix* m : std::array<const Matrix*, 2>{&tm.m, &packed})
        for (auto [r0, r1] : {std::pair<int64_t, int64_t>{0, rows}, {rows / 3, rows - rows / 4}}) {
            std::vector<float> want(static_cast<size_t>(rows), -7.0f), got(size_t(rows), -7.0f);
            ref().mat[int(type)].matvec(tm.m, xa, want.data(), r0, r1);
            t.mat[int(type)].matvec(*m, xa, got.data(), r0, r1);
            for (int64_t r = 0; r < rows; ++r) {
                if (r < r0 || r >= r1) {
                    ASSERT_EQ(got[size_t(r)], -7.0f) << "wrote outside its rows, row " << r;
                    continue;
                }
                const double tol = tolerance(tm.values.data() + r * cols, x.data(), cols);
                ASSERT_NEAR(got[size_t(r)], want[size_t(r)], tol)
                    << dtype_name(type) << " rows " << rows << " cols " << cols << " offset "
                    << offset << " row " << r;
            }
        }
}

TEST(Kernels, MatvecMatchesReference) {
    for (const KernelTable* t : simd_tables()) {
        SCOPED_TRACE(table_name(*t));
        for (DType type : kWeightTypes) {
            const size_t align =
                dtype_info(type).block_elems == 1 ? dtype_info(type).block_bytes : 2;
            uint32_t seed = 1;
            for (int64_t cols : col_counts(type))
                for (int64_t rows : {1, 3, 4, 5, 9, 16, 17})
                    for (size_t offset : {size_t(0), align, 3 * align})
                        check_matvec(*t, type, rows, cols, offset, seed++);
        }
    }
}

TEST(Kernels, MatmulMatchesReference) {
    for (const KernelTable* t : simd_tables()) {
        SCOPED_TRACE(table_name(*t));
        for (DType type : kWeightTypes) {
            const ActFormat f = act_format(type);
            const int64_t cols = block_of(type) == 256 ? 512 : (block_of(type) == 32 ? 160 : 67);
            for (int64_t rows : {1, 2, 3, 7, 8, 19}) {
                for (int64_t n : {1, 2, 3, 4, 5, 9}) {
                    const size_t offset =
                        type == DType::F32 ? 4 : 2;  // misaligned, within the type's alignment
                    const TestMatrix tm =
                        make_test_matrix(type, rows, cols, offset, uint32_t(rows * n));
                    const auto x = random_floats(size_t(n * cols), uint32_t(100 + n));
                    QuantizedActs xq;
                    xq.resize(f, n, cols);
                    for (int64_t i = 0; i < n; ++i)
                        ref().quantize[int(f)](x.data() + i * cols, xq.row(i), cols);
                    const int64_t ldy = rows + 3;
                    std::vector<float> want(static_cast<size_t>(n * ldy), -7.0f);
                    ref().mat[int(type)].matmul(tm.m, xq.row(0), xq.row_bytes, n, want.data(), ldy,
                                                0, rows);
                    // Both layouts the table accepts: GGUF rows, and its own packing (if any).
                    Matrix packed = tm.m;
                    if (t->pack) t->pack(packed);
                    for (const Matrix* m : std::array<const Matrix*, 2>{&tm.m, &packed}) {
                        SCOPED_TRACE(m->layout == kLayoutRows ? "rows" : "packed");
                        std::vector<float> got(want.size(), -7.0f);
                        t->mat[int(type)].matmul(*m, xq.row(0), xq.row_bytes, n, got.data(), ldy, 0,
                                                 rows);
                        for (int64_t i = 0; i < n; ++i) {
                            for (int64_t r = 0; r < ldy; ++r) {
                                const size_t k = size_t(i * ldy + r);
                                if (r >= rows) {
                                    ASSERT_EQ(got[k], -7.0f);
                                    continue;
                                }
                                const double tol = tolerance(tm.values.data() + r * cols,
                                                             x.data() + i * cols, cols);
                                ASSERT_NEAR(got[k], want[k], tol)
                                    << dtype_name(type) << " rows " << rows << " n " << n
                                    << " token " << i << " row " << r;
                            }
                        }
                    }
                }
            }
        }
    }
}

TEST(Kernels, MatvecApproximatesFloatProduct) {
    // The reference itself: quantized products stay close to the exact product of the dequantized
    // weights with the unquantized activations (activation quantization error only).
    const int64_t rows = 16, cols = 512;
    for (DType type : kWeightTypes) {
        const TestMatrix tm = make_test_matrix(type, rows, cols, 0, 5);
        const ActFormat f = act_format(type);
        const auto x = random_floats(size_t(cols), 6);
        QuantizedActs xq;
        xq.resize(f, 1, cols);
        ref().quantize[int(f)](x.data(), xq.row(0), cols);
        std::vector<float> y(static_cast<size_t>(rows));
        ref().mat[int(type)].matvec(tm.m, xq.row(0), y.data(), 0, rows);
        for (int64_t r = 0; r < rows; ++r) {
            double exact = 0, mag = 0;
            for (int64_t c = 0; c < cols; ++c) {
                exact += double(tm.values[size_t(r * cols + c)]) * x[size_t(c)];
                mag += std::fabs(double(tm.values[size_t(r * cols + c)]) * x[size_t(c)]);
            }
            // int8 activations: relative error per element <= 1/254 of the block's absmax.
            const double tol = f == ActFormat::F32 ? 1e-5 * mag : 0.02 * mag;
            EXPECT_NEAR(y[size_t(r)], exact, tol) << dtype_name(type) << " row " << r;
        }
    }
}

TEST(Kernels, VectorOpsMatchReference) {
    for (const KernelTable* t : simd_tables()) {
        SCOPED_TRACE(table_name(*t));
        for (int64_t n = 0; n <= 2 * 64 + 3; ++n) {
            for (int64_t mis = 0; mis < 3; ++mis) {
                const auto a = random_floats(size_t(n + mis), uint32_t(n * 3 + mis));
                const auto b = random_floats(size_t(n + mis), uint32_t(n * 5 + mis + 1));
                const float* pa = a.data() + mis;
                const float* pb = b.data() + mis;
                std::vector<uint16_t> h(static_cast<size_t>(n + mis));
                for (size_t i = 0; i < h.size(); ++i) h[i] = f32_to_f16(a[i]);
                const uint16_t* ph = h.data() + mis;
                std::vector<float> absprod(static_cast<size_t>(n));
                for (int64_t i = 0; i < n; ++i) absprod[size_t(i)] = std::fabs(pa[i]);

                ASSERT_NEAR(t->dot_f32(pa, pb, n), ref().dot_f32(pa, pb, n),
                            tolerance(absprod.data(), pb, n))
                    << "dot_f32 n " << n;

                std::vector<float> f1(static_cast<size_t>(n)), f2(static_cast<size_t>(n));
                ref().f16_to_f32(ph, f1.data(), n);
                t->f16_to_f32(ph, f2.data(), n);
                ASSERT_EQ(f1, f2) << "f16_to_f32 n " << n;
                std::vector<uint16_t> h1(static_cast<size_t>(n)), h2(static_cast<size_t>(n));
                ref().f32_to_f16(pa, h1.data(), n);
                t->f32_to_f16(pa, h2.data(), n);
                ASSERT_EQ(h1, h2) << "f32_to_f16 n " << n;

                if (n > 0) {
                    ref().rmsnorm(pa, pb, f1.data(), n, 1e-6f);
                    t->rmsnorm(pa, pb, f2.data(), n, 1e-6f);
                    for (int64_t i = 0; i < n; ++i)
                        ASSERT_NEAR(f1[size_t(i)], f2[size_t(i)],
                                    1e-5f * (1 + std::fabs(f1[size_t(i)])));
                    std::vector<float> s1(pa, pa + n), s2(pa, pa + n);
                    ref().softmax(s1.data(), n);
                    t->softmax(s2.data(), n);
                    for (int64_t i = 0; i < n; ++i)
                        ASSERT_NEAR(s1[size_t(i)], s2[size_t(i)], 1e-6f);
                    ref().silu_mul(pa, pb, f1.data(), n);
                    t->silu_mul(pa, pb, f2.data(), n);
                    for (int64_t i = 0; i < n; ++i)
                        ASSERT_NEAR(f1[size_t(i)], f2[size_t(i)],
                                    1e-5f * (1 + std::fabs(f1[size_t(i)])));
                }
            }
        }
    }
}

// The gated delta rule's recurrent step, by hand: with a one-hot key the state's row for that key
// is what gets written (v, then moved towards the next v by beta), and a one-hot query reads it.
TEST(Kernels, DeltaRuleStepWritesAndReadsOneRow) {
    std::vector<const KernelTable*> tables = simd_tables();
    tables.push_back(&ref());
    for (const KernelTable* t : tables) {
        SCOPED_TRACE(table_name(*t));
        const int64_t d = 40;
        const size_t n = static_cast<size_t>(d);
        std::vector<float> S(n * n, 0.0f), e(n, 0.0f), out(n), u(n);
        e[2] = 1.0f;
        const auto v1 = random_floats(size_t(d), 1), v2 = random_floats(size_t(d), 2);
        t->delta_rule_step(S.data(), e.data(), v1.data(), e.data(), 0.5f, 1.0f, out.data(),
                           u.data(), d, d);
        for (int64_t j = 0; j < d; ++j) {
            EXPECT_FLOAT_EQ(S[size_t(2 * d + j)], v1[size_t(j)]);
            EXPECT_FLOAT_EQ(out[size_t(j)], v1[size_t(j)]);
            EXPECT_EQ(S[size_t(j)], 0.0f);  // another key's row stays empty
        }
        // decay 0.5 halves the row first; beta 0.25 then moves it a quarter of the way to v2.
        t->delta_rule_step(S.data(), e.data(), v2.data(), e.data(), 0.5f, 0.25f, out.data(),
                           u.data(), d, d);
        for (int64_t j = 0; j < d; ++j) {
            const float half = 0.5f * v1[size_t(j)];
            EXPECT_NEAR(out[size_t(j)], half + 0.25f * (v2[size_t(j)] - half), 1e-6f);
        }
    }
}

// Every table against the generic one over several steps: head sizes on the SIMD blocks (Qwen3.5's
// 128) and off them, state and output compared after each step.
TEST(Kernels, DeltaRuleStepMatchesReference) {
    for (const KernelTable* t : simd_tables()) {
        SCOPED_TRACE(table_name(*t));
        for (auto [dk, dv] : std::vector<std::pair<int64_t, int64_t>>{
                 {128, 128}, {64, 128}, {128, 72}, {16, 16}, {8, 40}, {37, 53}, {3, 5}}) {
            SCOPED_TRACE(std::to_string(dk) + " x " + std::to_string(dv));
            std::vector<float> s1 = random_floats(size_t(dk * dv), uint32_t(dk + dv), 0.1f);
            std::vector<float> s2 = s1;
            const size_t nv = static_cast<size_t>(dv);
            std::vector<float> o1(nv), o2(nv), u(nv);
            for (int step = 0; step < 4; ++step) {
                const uint32_t seed = uint32_t(step * 7 + dk);
                auto k = random_floats(size_t(dk), seed), q = random_floats(size_t(dk), seed + 1);
                const auto v = random_floats(size_t(dv), seed + 2);
                float kk = 0;  // the model's keys are L2-normalised
                for (float x : k) kk += x * x;
                for (float& x : k) x /= std::sqrt(kk);
                const float decay = 0.6f + 0.1f * float(step), beta = 0.2f + 0.2f * float(step);
                ref().delta_rule_step(s1.data(), k.data(), v.data(), q.data(), decay, beta,
                                      o1.data(), u.data(), dk, dv);
                t->delta_rule_step(s2.data(), k.data(), v.data(), q.data(), decay, beta, o2.data(),
                                   u.data(), dk, dv);
                for (size_t i = 0; i < s1.size(); ++i)
                    ASSERT_NEAR(s1[i], s2[i], 1e-5f * (1 + std::fabs(s1[i]))) << "step " << step;
                for (size_t j = 0; j < o1.size(); ++j)
                    ASSERT_NEAR(o1[j], o2[j], 1e-4f * (1 + std::fabs(o1[j]))) << "step " << step;
            }
        }
    }
}

// Inputs of a run of the gated delta rule laid out as the model has them: q and k of a position in
// one row (ld_qk apart, not a multiple of any SIMD width), v in another, outputs ld_out apart.
struct DeltaRunData {
    int64_t n, dk, dv, ld_qk, ld_v, ld_out;
    std::vector<float> qk, v, decay, beta, s0;

    DeltaRunData(int64_t n_, int64_t dk_, int64_t dv_, uint32_t seed, float min_decay = 0.3f)
        : n(n_), dk(dk_), dv(dv_), ld_qk(2 * dk_ + 3), ld_v(dv_ + 5), ld_out(dv_ + 7) {
        qk = random_floats(size_t(n * ld_qk), seed);
        v = random_floats(size_t(n * ld_v), seed + 1);
        s0 = random_floats(size_t(dk * dv), seed + 2, 0.1f);
        std::mt19937 rng(seed + 3);
        std::uniform_real_distribution<float> unit(0.0f, 1.0f);
        for (int64_t t = 0; t < n; ++t) {
            for (int64_t part = 0; part < 2; ++part) {  // L2-normalised k; q also 1/sqrt(dk)
                float* x = &qk[size_t(t * ld_qk + part * dk)];
                float ss = 0;
                for (int64_t i = 0; i < dk; ++i) ss += x[i] * x[i];
                const float scale =
                    (part == 0 ? 1.0f / std::sqrt(float(dk)) : 1.0f) / std::sqrt(ss);
                for (int64_t i = 0; i < dk; ++i) x[i] *= scale;
            }
            decay.push_back(min_decay + (1.0f - min_decay) * unit(rng));
            beta.push_back(unit(rng));
        }
    }
    DeltaRuleRun run(float* out) const {
        DeltaRuleRun r;
        r.q = qk.data();
        r.k = qk.data() + dk;
        r.v = v.data();
        r.decay = decay.data();
        r.beta = beta.data();
        r.out = out;
        r.n = n;
        r.ld_qk = ld_qk;
        r.ld_v = ld_v;
        r.ld_out = ld_out;
        return r;
    }
    // The chunked form with table t: the outputs [n, ld_out] and the final state in S.
    std::vector<float> chunked(const KernelTable& t, std::vector<float>& S) const {
        S = s0;
        std::vector<float> out(size_t(n * ld_out), 0.0f);
        std::vector<float> scratch(delta_rule_chunked_scratch(dk, dv));
        t.delta_rule_chunked(S.data(), run(out.data()), dk, dv, scratch.data());
        return out;
    }
    // The recurrent form, position after position, with the generic table.
    std::vector<float> recurrent(std::vector<float>& S) const {
        S = s0;
        std::vector<float> out(size_t(n * ld_out), 0.0f), u(static_cast<size_t>(dv));
        for (int64_t t = 0; t < n; ++t)
            ref().delta_rule_step(S.data(), &qk[size_t(t * ld_qk + dk)], &v[size_t(t * ld_v)],
                                  &qk[size_t(t * ld_qk)], decay[size_t(t)], beta[size_t(t)],
                                  &out[size_t(t * ld_out)], u.data(), dk, dv);
        return out;
    }
};

double cosine(const float* a, const float* b, int64_t n) {
    double ab = 0, aa = 0, bb = 0;
    for (int64_t i = 0; i < n; ++i) {
        ab += double(a[i]) * b[i];
        aa += double(a[i]) * a[i];
        bb += double(b[i]) * b[i];
    }
    return aa == 0 && bb == 0 ? 1.0 : ab / std::sqrt(aa * bb);
}

// Largest |a - b| over the largest |b|: the error relative to the values' scale.
double relative_error(const float* a, const float* b, int64_t n) {
    double diff = 0, scale = 1e-30;
    for (int64_t i = 0; i < n; ++i) {
        diff = std::max(diff, double(std::fabs(a[i] - b[i])));
        scale = std::max(scale, double(std::fabs(b[i])));
    }
    return diff / scale;
}

void expect_runs_close(const DeltaRunData& d, const std::vector<float>& out,
                       const std::vector<float>& S, const std::vector<float>& want_out,
                       const std::vector<float>& want_S, double max_error) {
    for (int64_t t = 0; t < d.n; ++t) {
        const float* a = &out[size_t(t * d.ld_out)];
        const float* b = &want_out[size_t(t * d.ld_out)];
        ASSERT_GE(cosine(a, b, d.dv), 0.99999) << "position " << t;
        ASSERT_LT(relative_error(a, b, d.dv), max_error) << "position " << t;
    }
    ASSERT_LT(relative_error(S.data(), want_S.data(), d.dk * d.dv), max_error) << "final state";
}

// The chunked form (generic table) against the recurrent one it rewrites: every run length from 1
// to 200 (inside one chunk, on its end, across several, with a partial last chunk) on small
// heads, a few on Qwen3.5's 128 x 128 heads and on sizes off the SIMD widths.
TEST(Kernels, DeltaRuleChunkedMatchesRecurrent) {
    std::vector<std::tuple<int64_t, int64_t, int64_t>> cases;  // n, dk, dv
    for (int64_t n = 1; n <= 200; ++n) cases.push_back({n, 16, 24});
    for (int64_t n : {1, 8, 9, 63, 64, 65, 128, 200}) cases.push_back({n, 128, 128});
    for (int64_t n : {5, 70, 131}) cases.push_back({n, 37, 53});
    for (auto [n, dk, dv] : cases) {
        SCOPED_TRACE(std::to_string(n) + " positions, " + std::to_string(dk) + " x " +
                     std::to_string(dv));
        const DeltaRunData d(n, dk, dv, uint32_t(n * 3 + dk));
        std::vector<float> s_chunked, s_recurrent;
        const auto out = d.chunked(ref(), s_chunked);
        const auto want = d.recurrent(s_recurrent);
        expect_runs_close(d, out, s_chunked, want, s_recurrent, 2e-4);
    }
}

// Decays from the model's whole range: near 1 (the state kept for long) and down to ones that
// underflow (the state cleared at once), where exp of the cumulative log decay over a chunk would
// leave the float range if the form used it without the ratios.
TEST(Kernels, DeltaRuleChunkedHandlesStrongAndWeakDecays) {
    for (float min_decay : {0.999f, 1e-3f, 0.0f}) {
        SCOPED_TRACE("decays from " + std::to_string(min_decay));
        DeltaRunData d(150, 32, 32, 7, min_decay);
        if (min_decay == 0.0f) {
            d.decay[3] = 0.0f;     // as exp(A * softplus(x)) gives for a large x
            d.decay[70] = 1e-39f;  // subnormal
        }
        for (const KernelTable* t : [] {
                 auto v = simd_tables();
                 v.push_back(&ref());
                 return v;
             }()) {
            SCOPED_TRACE(table_name(*t));
            std::vector<float> s_chunked, s_recurrent;
            const auto out = d.chunked(*t, s_chunked);
            const auto want = d.recurrent(s_recurrent);
            for (float x : out) ASSERT_TRUE(std::isfinite(x));
            expect_runs_close(d, out, s_chunked, want, s_recurrent, 2e-4);
        }
    }
}

// Every SIMD table's chunked form against the generic one, over the lengths around the chunk and
// register-tile sizes and head sizes on and off the SIMD widths.
TEST(Kernels, DeltaRuleChunkedMatchesReference) {
    for (const KernelTable* t : simd_tables()) {
        SCOPED_TRACE(table_name(*t));
        for (auto [dk, dv] : std::vector<std::pair<int64_t, int64_t>>{
                 {128, 128}, {64, 128}, {128, 72}, {16, 16}, {8, 40}, {37, 53}, {3, 5}}) {
            for (int64_t n = 1; n <= 200; n += (n < 20 || (n > 60 && n < 70) ? 1 : 13)) {
                SCOPED_TRACE(std::to_string(n) + " positions, " + std::to_string(dk) + " x " +
                             std::to_string(dv));
                const DeltaRunData d(n, dk, dv, uint32_t(n + dk * dv));
                std::vector<float> s1, s2;
                const auto want = d.chunked(ref(), s1);
                const auto got = d.chunked(*t, s2);
                expect_runs_close(d, got, s2, want, s1, 1e-4);
            }
        }
    }
}

// Attention over an f16 cache: every key count around the SIMD blocks (8 keys, 16 values), head
// sizes on the fast paths (Qwen's 64 and 128; other multiples of 8 for the scores) and off them,
// group sizes, misaligned rows.
TEST(Kernels, AttentionMatchesReference) {
    for (const KernelTable* t : simd_tables()) {
        SCOPED_TRACE(table_name(*t));
        for (int64_t hd : {8, 64, 72, 128, 12, 264}) {
            for (int64_t nq : {1, 3, 7}) {
                for (int64_t n = 0; n <= 2 * 16 + 3; ++n) {
                    const int64_t mis = (n + hd) % 3;
                    const auto kv = random_floats(size_t(2 * n * hd + mis), uint32_t(n + 7 * hd));
                    std::vector<uint16_t> h(kv.size());
                    for (size_t i = 0; i < h.size(); ++i) h[i] = f32_to_f16(kv[i]);
                    const uint16_t* keys = h.data() + mis;
                    const uint16_t* values = keys + n * hd;
                    const auto qv =
                        random_floats(size_t(nq * hd + mis), uint32_t(3 * n + hd), 0.3f);
                    const float* q = qv.data() + mis;
                    const float scale = 0.125f;

                    const std::vector<int64_t> all(size_t(nq), n);
                    std::vector<float> s1(size_t(nq * n)), s2(size_t(nq * n));
                    ref().attn_scores_f16(q, nq, keys, all.data(), n, hd, scale, s1.data());
                    t->attn_scores_f16(q, nq, keys, all.data(), n, hd, scale, s2.data());
                    for (int64_t g = 0; g < nq; ++g)
                        for (int64_t j = 0; j < n; ++j) {
                            double mag = 0;
                            for (int64_t i = 0; i < hd; ++i)
                                mag += std::fabs(q[g * hd + i] * f16_to_f32(keys[j * hd + i]));
                            ASSERT_NEAR(s1[size_t(g * n + j)], s2[size_t(g * n + j)],
                                        1e-6 + 1e-6 * scale * mag)
                                << "scores hd " << hd << " nq " << nq << " n " << n << " g " << g
                                << " j " << j;
                        }

                    for (int64_t g = 0; g < nq; ++g) ref().softmax(&s1[size_t(g * n)], n);
                    std::vector<float> o1(size_t(nq * hd), -1.0f), o2(size_t(nq * hd), -2.0f);
                    ref().attn_values_f16(s1.data(), nq, values, all.data(), n, hd, o1.data());
                    t->attn_values_f16(s1.data(), nq, values, all.data(), n, hd, o2.data());
                    for (size_t i = 0; i < o1.size(); ++i)
                        ASSERT_NEAR(o1[i], o2[i], 1e-5f * (1 + std::fabs(o1[i])))
                            << "values hd " << hd << " nq " << nq << " n " << n << " at " << i;
                }
            }
        }
    }
}

// Queries of several positions read the cache together, each seeing its own number of keys: a
// query's scores and output are those it gets alone, bit for bit, in every table.
TEST(Kernels, AttentionQueriesWithTheirOwnKeyCountsEqualEachAlone) {
    std::vector<const KernelTable*> tables = simd_tables();
    tables.push_back(&ref());
    for (const KernelTable* t : tables) {
        SCOPED_TRACE(table_name(*t));
        for (int64_t hd : {64, 128, 72}) {
            const int64_t n = 37, nq = 6;
            const std::vector<int64_t> nk = {30, 31, 37, 1, 16, 17};
            const auto kv = random_floats(size_t(2 * n * hd), uint32_t(hd));
            std::vector<uint16_t> h(kv.size());
            for (size_t i = 0; i < h.size(); ++i) h[i] = f32_to_f16(kv[i]);
            const uint16_t* keys = h.data();
            const uint16_t* values = keys + n * hd;
            const auto q = random_floats(size_t(nq * hd), uint32_t(5 * hd), 0.3f);

            std::vector<float> s(size_t(nq * n)), o(size_t(nq * hd));
            t->attn_scores_f16(q.data(), nq, keys, nk.data(), n, hd, 0.125f, s.data());
            const std::vector<float> raw = s;
            for (int64_t g = 0; g < nq; ++g) t->softmax(&s[size_t(g * n)], nk[size_t(g)]);
            t->attn_values_f16(s.data(), nq, values, nk.data(), n, hd, o.data());
            for (int64_t g = 0; g < nq; ++g) {
                const int64_t m = nk[size_t(g)];
                std::vector<float> s1(static_cast<size_t>(m)), o1(static_cast<size_t>(hd));
                t->attn_scores_f16(q.data() + g * hd, 1, keys, &m, m, hd, 0.125f, s1.data());
                for (int64_t j = 0; j < m; ++j)
                    ASSERT_EQ(s1[size_t(j)], raw[size_t(g * n + j)]) << "hd " << hd << " g " << g;
                t->softmax(s1.data(), m);
                t->attn_values_f16(s1.data(), 1, values, &m, m, hd, o1.data());
                for (int64_t i = 0; i < hd; ++i)
                    ASSERT_EQ(o1[size_t(i)], o[size_t(g * hd + i)]) << "hd " << hd << " g " << g;
            }
        }
    }
}

// ---- batch and layout invariance: a row's value depends only on its weights and its token ----

// Every table, the generic one included.
std::vector<const KernelTable*> all_tables() {
    std::vector<const KernelTable*> v = {&ref()};
    for (const KernelTable* t : simd_tables()) v.push_back(t);
    return v;
}

constexpr int64_t kMaxTokens = 9;

// n token rows starting at token `first` of xq through matmul (n = 0: one matvec per token), the
// rows split over `parts` ranges as the thread pool splits them. Returns y: [n, rows].
std::vector<float> products(const KernelTable& t, const Matrix& m, const QuantizedActs& xq,
                            int64_t first, int64_t n, int parts, bool use_matvec) {
    std::vector<float> y(size_t(n * m.rows), -7.0f);
    const MatKernels& k = t.mat[int(m.type)];
    for (int p = 0; p < parts; ++p) {
        const Range r = split_range(m.rows, p, parts, 16);
        if (r.begin == r.end) continue;
        if (use_matvec) {
            for (int64_t i = 0; i < n; ++i)
                k.matvec(m, xq.row(first + i), y.data() + i * m.rows, r.begin, r.end);
        } else {
            k.matmul(m, xq.row(first), xq.row_bytes, n, y.data(), m.rows, r.begin, r.end);
        }
    }
    return y;
}

struct InvarianceCase {
    TestMatrix tm;
    QuantizedActs xq;  // kMaxTokens rows
};

InvarianceCase make_invariance_case(DType type, int64_t rows, int64_t cols, uint32_t seed) {
    InvarianceCase c{make_test_matrix(type, rows, cols, 0, seed), {}};
    const ActFormat f = act_format(type);
    const auto x = random_floats(size_t(kMaxTokens * cols), seed + 1);
    c.xq.resize(f, kMaxTokens, cols);
    for (int64_t i = 0; i < kMaxTokens; ++i)
        ref().quantize[int(f)](x.data() + i * cols, c.xq.row(i), cols);
    return c;
}

// The first row of got that differs from want in any bit, or -1.
int64_t first_difference(const std::vector<float>& want, const std::vector<float>& got) {
    for (size_t i = 0; i < want.size(); ++i)
        if (std::memcmp(&want[i], &got[i], sizeof(float)) != 0) return int64_t(i);
    return -1;
}

std::vector<int64_t> invariance_cols(DType t) {
    if (block_of(t) == 1) return {67, 200};
    if (block_of(t) == 32) return {160, 896};
    return {512};
}

// Rows whose products differ between a matvec of one token over all rows and the same token's
// row of a matmul of n = 1..9 tokens (at two positions in the tile), each over 1..4 row ranges.
std::string batch_variance(const KernelTable& t, const Matrix& m, const QuantizedActs& xq) {
    const std::vector<float> want = products(t, m, xq, 0, kMaxTokens, 1, true);
    for (int parts = 1; parts <= 4; ++parts) {
        const auto got = products(t, m, xq, 0, kMaxTokens, parts, true);
        if (const int64_t i = first_difference(want, got); i >= 0)
            return "matvec over " + std::to_string(parts) + " ranges, row " +
                   std::to_string(i % m.rows);
    }
    for (int64_t n = 1; n <= kMaxTokens; ++n)
        for (int64_t first : {int64_t(0), kMaxTokens - n})
            for (int parts = 1; parts <= 4; ++parts) {
                const auto got = products(t, m, xq, first, n, parts, false);
                const std::vector<float> w(want.begin() + first * m.rows,
                                           want.begin() + (first + n) * m.rows);
                if (const int64_t i = first_difference(w, got); i >= 0)
                    return "matmul of " + std::to_string(n) + " tokens from token " +
                           std::to_string(first) + " over " + std::to_string(parts) +
                           " ranges: token " + std::to_string(first + i / m.rows) + " row " +
                           std::to_string(i % m.rows);
            }
    return "";
}

TEST(Kernels, MatmulRowsEqualMatvecBitForBit) {
    for (const KernelTable* t : all_tables()) {
        for (DType type : kWeightTypes) {
            // The first case that varies (one report per table and type).
            const std::string why = [&]() -> std::string {
                for (int64_t cols : invariance_cols(type))
                    for (int64_t rows : {19, 67}) {
                        const InvarianceCase c =
                            make_invariance_case(type, rows, cols, uint32_t(rows + cols));
                        Matrix packed = c.tm.m;
                        if (t->pack) t->pack(packed);
                        for (const Matrix* m : std::array<const Matrix*, 2>{&c.tm.m, &packed})
                            if (std::string v = batch_variance(*t, *m, c.xq); !v.empty())
                                return std::string(m->layout == kLayoutRows ? "rows " : "packed ") +
                                       std::to_string(rows) + "x" + std::to_string(cols) + ": " + v;
                    }
                return "";
            }();
            EXPECT_EQ(why, "") << table_name(*t) << " " << dtype_name(type);
        }
    }
}

TEST(Kernels, PackedLayoutEqualsRowLayoutBitForBit) {
    for (const KernelTable* t : all_tables()) {
        if (!t->pack) continue;
        for (DType type : kWeightTypes) {
            // The first case that differs (one report per table and type).
            const std::string why = [&]() -> std::string {
                for (int64_t cols : invariance_cols(type))
                    for (int64_t rows : {1, 7, 19, 67}) {
                        const InvarianceCase c =
                            make_invariance_case(type, rows, cols, uint32_t(3 * rows + cols));
                        Matrix packed = c.tm.m;
                        t->pack(packed);
                        if (packed.layout == kLayoutRows) return "";  // the type is not packed
                        for (bool use_matvec : {true, false}) {
                            const auto want =
                                products(*t, c.tm.m, c.xq, 0, kMaxTokens, 1, use_matvec);
                            const auto got =
                                products(*t, packed, c.xq, 0, kMaxTokens, 1, use_matvec);
                            if (const int64_t i = first_difference(want, got); i >= 0)
                                return std::to_string(rows) + "x" + std::to_string(cols) + " " +
                                       (use_matvec ? "matvec" : "matmul") + ", token " +
                                       std::to_string(i / rows) + " row " +
                                       std::to_string(i % rows);
                        }
                    }
                return "";
            }();
            EXPECT_EQ(why, "") << table_name(*t) << " " << dtype_name(type);
        }
    }
}

TEST(Kernels, PackedMatrixFromAFileSurvivesReleasingTheSourcePages) {
    const KernelTable* packer = nullptr;
    for (const KernelTable* t : simd_tables())
        if (t->pack) packer = t;
    if (!packer) GTEST_SKIP() << "no table on this CPU repacks matrices";
    const int64_t rows = 64, cols = 32 * 64;  // 64 x 2176 bytes: spans whole pages
    const TestMatrix tm = make_test_matrix(DType::Q4_0, rows, cols, 0, 21);
    const std::string path = std::string(QE_TEST_TMP_DIR) + "/kernels_release_pages.bin";
    {
        std::ofstream f(path, std::ios::binary);
        f.write(reinterpret_cast<const char*>(tm.m.data), std::streamsize(rows * tm.m.row_bytes));
    }
    const MappedFile file(path);
    TensorView view{"w", DType::Q4_0, {rows, cols}, file.bytes().data(), file.bytes().size()};
    const Matrix m = make_matrix_for(*packer, view);
    ASSERT_EQ(m.layout, kLayoutX8);
    release_source_pages(m);
    // The mapping still reads the file's bytes, and the packed copy still computes the product.
    EXPECT_EQ(std::memcmp(file.bytes().data(), tm.m.data, file.bytes().size()), 0);
    const auto x = random_floats(size_t(cols), 22);
    QuantizedActs xq;
    xq.resize(ActFormat::Q8_32, 1, cols);
    ref().quantize[int(ActFormat::Q8_32)](x.data(), xq.row(0), cols);
    std::vector<float> want(static_cast<size_t>(rows)), got(static_cast<size_t>(rows));
    ref().mat[int(DType::Q4_0)].matvec(tm.m, xq.row(0), want.data(), 0, rows);
    packer->mat[int(DType::Q4_0)].matvec(m, xq.row(0), got.data(), 0, rows);
    for (int64_t r = 0; r < rows; ++r)
        ASSERT_NEAR(got[size_t(r)], want[size_t(r)],
                    tolerance(tm.values.data() + r * cols, x.data(), cols));
}

TEST(Kernels, ConvenienceApiUsesActiveTable) {
    const int64_t rows = 8, cols = 96;
    const TestMatrix tm = make_test_matrix(DType::Q8_0, rows, cols, 0, 11);
    const auto x = random_floats(size_t(cols), 12);
    QuantizedActs xq;
    quantize_acts(ActFormat::Q8_32, x.data(), 1, cols, xq);
    std::vector<float> y(static_cast<size_t>(rows)), want(static_cast<size_t>(rows));
    matvec(tm.m, xq, y.data(), 0, rows);
    ref().mat[int(DType::Q8_0)].matvec(tm.m, xq.row(0), want.data(), 0, rows);
    for (int64_t r = 0; r < rows; ++r)
        EXPECT_NEAR(y[size_t(r)], want[size_t(r)],
                    tolerance(tm.values.data() + r * cols, x.data(), cols));
}

}  // namespace
}  // namespace qe
