// Picks the kernel table once (cpuid + the QE_ISA override) and implements the convenience API.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "core/error.h"
#include "kernels/act_layout.h"
#include "kernels/cpu_features.h"
#include "kernels/tables.h"

namespace qe {

ActFormat act_format(DType t) {
    switch (t) {
        case DType::F32:
        case DType::F16:
        case DType::BF16:
            return ActFormat::F32;
        case DType::Q4_0:
        case DType::Q4_1:
        case DType::Q5_0:
        case DType::Q5_1:
        case DType::Q8_0:
            return ActFormat::Q8_32;
        case DType::Q2_K:
        case DType::Q3_K:
        case DType::Q4_K:
        case DType::Q5_K:
        case DType::Q6_K:
            return ActFormat::Q8_256;
        case DType::Q8_1:
        case DType::Q8_K:
            break;
    }
    throw Error("no matrix kernels for weight type " + std::string(dtype_name(t)) +
                " (an activation-only type); re-quantize the model to a weight type");
}

int64_t act_block(ActFormat f) {
    switch (f) {
        case ActFormat::F32:
            return 1;
        case ActFormat::Q8_32:
            return 32;
        case ActFormat::Q8_256:
            return 256;
    }
    return 1;
}

size_t act_row_bytes(ActFormat f, int64_t cols) {
    switch (f) {
        case ActFormat::F32:
            return act::f32_bytes(cols);
        case ActFormat::Q8_32:
            return act::q8_32_bytes(cols);
        case ActFormat::Q8_256:
            return act::q8_256_bytes(cols);
    }
    return 0;
}

Matrix make_matrix(const TensorView& t) {
    return make_matrix_for(kernels(), t);
}

Matrix make_matrix_for(const KernelTable& table, const TensorView& t) {
    Matrix m = make_row_matrix(t);
    if (table.pack) table.pack(m);
    return m;
}

Matrix make_row_matrix(const TensorView& t) {
    const std::string where = "tensor '" + t.name + "'";
    if (t.shape.empty() || t.shape.size() > 2)
        throw Error(where + ": expected a matrix, got " + std::to_string(t.shape.size()) +
                    " dimensions");
    const int64_t rows = t.rows(), cols = t.cols();
    const auto rb = row_bytes(t.dtype, cols);
    if (rows <= 0 || cols <= 0 || !rb)
        throw Error(where + ": " + std::to_string(cols) + " columns are not a whole number of " +
                    std::string(dtype_name(t.dtype)) + " blocks");
    if (size_t(rows) * *rb != t.nbytes)
        throw Error(where + ": " + std::to_string(t.nbytes) + " bytes, expected " +
                    std::to_string(size_t(rows) * *rb));
    (void)act_format(t.dtype);  // throws for types without kernels
    return Matrix{t.dtype, rows,        cols,   static_cast<const uint8_t*>(t.data),
                  *rb,     kLayoutRows, nullptr};
}

void release_source_pages(const Matrix& m) {
    if (m.layout == kLayoutRows || !m.data) return;
    const auto page = uintptr_t(sysconf(_SC_PAGESIZE));
    const auto begin = (uintptr_t(m.data) + page - 1) / page * page;  // whole pages inside only
    const auto end = (uintptr_t(m.data) + size_t(m.rows) * m.row_bytes) / page * page;
    if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

void QuantizedActs::Free::operator()(uint8_t* p) const {
    ::operator delete[](p, std::align_val_t(64));
}

void QuantizedActs::resize(ActFormat f, int64_t n_rows, int64_t n_cols) {
    format = f;
    n = n_rows;
    cols = n_cols;
    row_bytes = act_row_bytes(f, n_cols);
    const size_t need = size_t(n_rows) * row_bytes;
    if (need > capacity_) {
        data_.reset(static_cast<uint8_t*>(::operator new[](need, std::align_val_t(64))));
        capacity_ = need;
    }
}

std::string_view isa_name(Isa isa) {
    switch (isa) {
        case Isa::Generic:
            return "generic";
        case Isa::Avx2:
            return "avx2";
        case Isa::Avx512:
            return "avx512";
        case Isa::Neon:
            return "neon";
    }
    return "?";
}

const KernelTable* kernel_table(Isa isa) {
    const CpuFeatures& cpu = cpu_features();
    switch (isa) {
        case Isa::Generic:
            return &generic_table();
#if defined(QE_KERNELS_X86)
        case Isa::Avx2:
            return cpu.avx2_fma_f16c ? &avx2_table() : nullptr;
        case Isa::Avx512:
            return cpu.avx512_vnni ? &avx512_table() : nullptr;
#endif
#if defined(QE_KERNELS_NEON)
        case Isa::Neon:
            // Every aarch64 CPU has NEON; dotprod picks the faster of the two builds.
            return cpu.neon_dotprod ? &neon_table() : &neon_plain_table();
#endif
        default:
            (void)cpu;
            return nullptr;
    }
}

namespace {

const KernelTable& choose() {
    if (const char* env = std::getenv("QE_ISA"); env && *env) {
        for (Isa isa : {Isa::Generic, Isa::Avx2, Isa::Avx512, Isa::Neon})
            if (isa_name(isa) == env)
                if (const KernelTable* t = kernel_table(isa)) return *t;
        // An unknown or unavailable ISA falls through to the best one this CPU has.
    }
    for (Isa isa : {Isa::Avx512, Isa::Avx2, Isa::Neon})
        if (const KernelTable* t = kernel_table(isa)) return *t;
    return generic_table();
}

}  // namespace

const KernelTable& kernels() {
    static const KernelTable& table = choose();
    return table;
}

void quantize_acts(ActFormat f, const float* x, int64_t n, int64_t cols, QuantizedActs& out) {
    out.resize(f, n, cols);
    const QuantizeActFn q = kernels().quantize[int(f)];
    for (int64_t t = 0; t < n; ++t) q(x + t * cols, out.row(t), cols);
}

void matvec(const Matrix& w, const QuantizedActs& x, float* y, int64_t r0, int64_t r1) {
    kernels().mat[int(w.type)].matvec(w, x.row(0), y, r0, r1);
}

void matmul(const Matrix& w, const QuantizedActs& x, float* y, int64_t ldy, int64_t r0,
            int64_t r1) {
    kernels().mat[int(w.type)].matmul(w, x.row(0), x.row_bytes, x.n, y, ldy, r0, r1);
}

}  // namespace qe
