// Compute kernels of the forward pass: matrix-vector and matrix-matrix products for every weight
// type, and the small f32 vector ops around them.
//
// Design
// - One KernelTable per ISA (generic scalar, x86 AVX2+FMA+F16C, x86 AVX-512 F/BW/VL/VNNI, ARM NEON
//   with dotprod, or without it on older cores), each in its own file compiled with its own flags.
//   kernels() picks one once, at first use, by cpuid (and xgetbv for OS-enabled state);
//   QE_ISA=generic|avx2|avx512|neon overrides it (an ISA the CPU lacks falls back to the best one
//   it has).
// - Activations are quantized once per matmul, to the format the weight type's kernels read
//   (act_format()): 32-element int8 blocks for Q4_0..Q8_0, 256-element int8 blocks for the
//   K-types, f32 for float weights. The dot products are then integer (maddubs on AVX2, vpdpbusd
//   on AVX-512 VNNI, sdot on NEON) with one float scale per block pair.
// - The generic table is the reference: every SIMD kernel is tested against it. Integer block
//   sums are exact in every table; only the order of float accumulation differs.
// - Threading is the caller's: matvec/matmul take a row range [r0, r1), so a pool can split rows.
//
// Typical use (decode, one token):
//     const Matrix wq = make_matrix(weights.wq);            // at load, once
//     QuantizedActs xq;                                     // reused buffer
//     quantize_acts(act_format(wq.type), x, 1, dim, xq);    // once per input vector
//     pool.run([&](int t, int nt) {
//         Range r = split_range(wq.rows, t, nt, 16);
//         matvec(wq, xq, q, r.begin, r.end);                // q[r] = wq[r, :] . x
//     });
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/dtype.h"
#include "core/tensor.h"

namespace qe {

enum class Isa { Generic, Avx2, Avx512, Neon };

// How the activations must be prepared for a weight type.
enum class ActFormat {
    F32,    // plain floats (F32, F16, BF16 weights)
    Q8_32,  // int8 blocks of 32 with f32 scale and integer sum (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0)
    Q8_256  // int8 blocks of 256 with f32 scale and 16 sums of 16 (Q2_K .. Q6_K)
};

// Throws qe::Error for a weight type without kernels (Q8_1, Q8_K are activation-only types).
ActFormat act_format(DType weight_type);
int64_t act_block(ActFormat f);                   // elements per block: 1, 32 or 256
size_t act_row_bytes(ActFormat f, int64_t cols);  // bytes of one quantized row (64-multiple)

// A weight matrix W: [rows, cols] ready for the kernels. data points into the model file (GGUF row
// layout). A table may repack it at load into a layout its kernels read faster (`packed`, with
// `layout` != kLayoutRows); the packed copy has about the size of the original (the same, or 3%
// more for Q4_K, whose scales it unpacks), whose pages are then no longer read.
struct KernelTable;

inline constexpr int kLayoutRows = 0;  // GGUF rows: [rows, row_bytes]
inline constexpr int kLayoutX8 = 1;    // 8-row interleaved blocks (x86 tables; see x86/pack_x8.h)

struct Matrix {
    DType type = DType::F32;
    int64_t rows = 0, cols = 0;
    const uint8_t* data = nullptr;  // [rows, row_bytes] in the file
    size_t row_bytes = 0;
    int layout = kLayoutRows;
    std::shared_ptr<const uint8_t[]> packed;  // the repacked copy when layout != kLayoutRows
};

// Throws qe::Error if t is not 2-D (or 1-D: one row), its rows are not whole blocks, its byte size
// does not match, or its type has no kernels. Repacks for the active table (kernels()) when it
// has a faster layout for the type.
Matrix make_matrix(const TensorView& t);
// As make_matrix for a specific table (tests, benchmarks).
Matrix make_matrix_for(const KernelTable& table, const TensorView& t);
// The same checks, but the matrix stays in the file's row layout (every table reads it); a
// table's pack can turn a copy into its faster layout later.
Matrix make_row_matrix(const TensorView& t);

// For a packed m whose data lies in a read-only file mapping: tells the OS the original pages
// are not needed (they stay readable, read back from the file if touched), so packing costs no
// memory beyond the packed copy. Never call it on heap data (the pages would read as zeros).
void release_source_pages(const Matrix& m);

// Activation rows quantized for one ActFormat; a reusable buffer (64-byte aligned).
class QuantizedActs {
  public:
    ActFormat format = ActFormat::F32;
    int64_t n = 0, cols = 0;
    size_t row_bytes = 0;
    const uint8_t* row(int64_t t) const { return data_.get() + size_t(t) * row_bytes; }
    uint8_t* row(int64_t t) { return data_.get() + size_t(t) * row_bytes; }
    void resize(ActFormat f, int64_t n_rows, int64_t n_cols);

  private:
    struct Free {
        void operator()(uint8_t* p) const;
    };
    std::unique_ptr<uint8_t, Free> data_;
    size_t capacity_ = 0;
};

// Function types of one weight type's kernels. xq rows are in act_format(w.type).
// quantize:  x [cols] f32 -> one activation row (act_row_bytes(f, cols) bytes)
using QuantizeActFn = void (*)(const float* x, uint8_t* xq, int64_t cols);
// matvec:    y[r] = W[r, :] . x   for r in [r0, r1)          y: [w.rows] (only r0..r1 written)
using MatvecFn = void (*)(const Matrix& w, const uint8_t* xq, float* y, int64_t r0, int64_t r1);
// matmul:    y[t * ldy + r] = W[r, :] . X[t, :]   for t in [0, n), r in [r0, r1)
//            xq: [n, xq_row_bytes]; y: [n, ldy] with ldy >= w.rows
using MatmulFn = void (*)(const Matrix& w, const uint8_t* xq, size_t xq_row_bytes, int64_t n,
                          float* y, int64_t ldy, int64_t r0, int64_t r1);

struct MatKernels {
    MatvecFn matvec = nullptr;
    MatmulFn matmul = nullptr;
};

// The longest chunk of the chunked gated delta rule (delta_chunk.h uses 32), for its scratch.
inline constexpr int64_t kDeltaChunk = 64;
constexpr size_t delta_rule_chunked_scratch(int64_t dk, int64_t dv) {
    return size_t(kDeltaChunk * (3 * dk + 2 * kDeltaChunk + 2 * dv + 1));  // floats
}

// A run of n consecutive positions of one head of the gated delta rule (delta_rule_chunked).
// Position t reads q + t * ld_qk, k + t * ld_qk ([dk] each: L2-normalised, q pre-scaled),
// v + t * ld_v ([dv]), decay[t] in (0, 1], beta[t], and writes out + t * ld_out ([dv]).
struct DeltaRuleRun {
    const float *q = nullptr, *k = nullptr, *v = nullptr;
    const float *decay = nullptr, *beta = nullptr;
    float* out = nullptr;
    int64_t n = 0, ld_qk = 0, ld_v = 0, ld_out = 0;
};

struct KernelTable {
    Isa isa = Isa::Generic;
    const char* name = "generic";
    QuantizeActFn quantize[3] = {};  // indexed by ActFormat
    // Repacks m (a kLayoutRows matrix) into this table's preferred layout, or leaves it; the
    // table's kernels accept both layouts.
    void (*pack)(Matrix& m) = nullptr;
    MatKernels mat[32] = {};  // indexed by DType id; empty for types without kernels

    // Vector ops (n elements, any n >= 0, no alignment required).
    float (*dot_f32)(const float* a, const float* b, int64_t n) = nullptr;
    // Attention over one KV head's f16 cache (row j: hd values at rows + j * hd) for nq queries
    // at once (query g: hd floats at q + g * hd; the heads of a group, of one or several
    // positions), so each cached row is read once for all. Query g sees keys [0, nk[g]), each
    // nk[g] <= n; its value is the same whatever the other queries (they only share the reads).
    // scores: s[g * n + j] = scale * (q_g . k_j) for j < nk[g] (the rest of the row: unspecified)
    void (*attn_scores_f16)(const float* q, int64_t nq, const uint16_t* k, const int64_t* nk,
                            int64_t n, int64_t hd, float scale, float* s) = nullptr;
    // values: out[g * hd + i] = sum over j < nk[g] of p[g * n + j] * v_j[i]
    void (*attn_values_f16)(const float* p, int64_t nq, const uint16_t* v, const int64_t* nk,
                            int64_t n, int64_t hd, float* out) = nullptr;
    void (*f16_to_f32)(const uint16_t* x, float* y, int64_t n) = nullptr;
    void (*f32_to_f16)(const float* x, uint16_t* y, int64_t n) = nullptr;  // round to nearest even
    // y = x / sqrt(mean(x^2) + eps) * w   (y may alias x)
    void (*rmsnorm)(const float* x, const float* w, float* y, int64_t n, float eps) = nullptr;
    // x = exp(x - max) / sum, in place
    void (*softmax)(float* x, int64_t n) = nullptr;
    // y = silu(gate) * up = gate / (1 + exp(-gate)) * up   (y may alias either)
    void (*silu_mul)(const float* gate, const float* up, float* y, int64_t n) = nullptr;
    // One token of the gated delta rule (Gated DeltaNet's recurrent form) for one head:
    //   S = decay * S;  u = beta * (v - S^T k);  S = S + k u^T;  out = S^T q
    // S: [dk, dv] row-major (row i belongs to key element i); k, q: [dk]; v, out, u: [dv] (u is
    // scratch). Two passes over S, each row once per pass.
    void (*delta_rule_step)(float* S, const float* k, const float* v, const float* q, float decay,
                            float beta, float* out, float* u, int64_t dk, int64_t dv) = nullptr;
    // The same rule over a run of positions in the chunked ("WY") form (kernels/delta_chunk.h):
    // per chunk of positions (at most kDeltaChunk) a few small matrix products and a triangular
    // solve instead of two passes over S per position. Equal to delta_rule_step applied position
    // after position up to the order of float sums. S: [dk, dv] in/out; scratch:
    // delta_rule_chunked_scratch(dk, dv) floats.
    void (*delta_rule_chunked)(float* S, const DeltaRuleRun& run, int64_t dk, int64_t dv,
                               float* scratch) = nullptr;
};

// The table in use (chosen once, thread-safe).
const KernelTable& kernels();
// A specific table, or nullptr if it is not compiled in or this CPU cannot run it.
const KernelTable* kernel_table(Isa isa);
std::string_view isa_name(Isa isa);

// Convenience wrappers over kernels().
void quantize_acts(ActFormat f, const float* x, int64_t n, int64_t cols, QuantizedActs& out);
void matvec(const Matrix& w, const QuantizedActs& x, float* y, int64_t r0, int64_t r1);
void matmul(const Matrix& w, const QuantizedActs& x, float* y, int64_t ldy, int64_t r0, int64_t r1);

}  // namespace qe
