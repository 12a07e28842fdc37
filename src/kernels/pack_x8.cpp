#include "kernels/pack_x8.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "quant/blocks.h"

namespace qe::x8 {
namespace {

uint32_t load_u32(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// Fills one record from block b of 8 rows (nullptr rows are padding: zeros).
template <typename Rec, typename Block>
void pack_record(const Block* const* rows, int64_t b, Rec& out) {
    std::memset(&out, 0, sizeof out);
    for (int r = 0; r < 8; ++r) {
        if (!rows[r]) continue;
        const Block& blk = rows[r][b];
        out.d[r] = blk.d;
        if constexpr (requires { blk.m; }) out.m[r] = blk.m;
        constexpr int kChunks = sizeof(blk.qs) / 4;  // 4 for nibbles, 8 for Q8_0
        for (int c = 0; c < kChunks; ++c)
            for (int i = 0; i < 4; ++i)
                reinterpret_cast<uint8_t*>(out.qs)[32 * c + 4 * r + i] = uint8_t(blk.qs[4 * c + i]);
        if constexpr (requires { blk.qh; }) {
            const uint32_t qh = load_u32(blk.qh);
            for (int g = 0; g < 8; ++g)
                for (int i = 0; i < 4; ++i) {
                    // group g < 4: elements 4g + i; g >= 4: elements 16 + 4(g - 4) + i
                    const int e = g < 4 ? 4 * g + i : 16 + 4 * (g - 4) + i;
                    if ((qh >> e) & 1) out.qh[4 * r + i] |= uint8_t(1 << g);
                }
        }
    }
}

// A buffer for a packed matrix; a large one is 2 MiB-aligned and its whole 2 MiB stretches are
// marked for transparent huge pages (the tail keeps small pages: no memory wasted), since
// decoding streams through every weight once per token, and with 4 KiB pages a TLB miss (a
// costly two-level page walk in a virtual machine) comes every 4 KiB.
std::shared_ptr<uint8_t[]> huge_page_buffer(size_t bytes) {
    constexpr size_t kHuge = size_t(2) << 20;
    if (bytes < kHuge) return std::shared_ptr<uint8_t[]>(new uint8_t[bytes]);
    void* p = nullptr;
    if (posix_memalign(&p, kHuge, bytes) != 0) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    madvise(p, bytes / kHuge * kHuge, MADV_HUGEPAGE);  // advice only: without it, small pages
#endif
    return std::shared_ptr<uint8_t[]>(static_cast<uint8_t*>(p), [](uint8_t* q) { std::free(q); });
}

template <typename Rec, typename Block>
void pack_as(Matrix& m) {
    const int64_t nb = m.cols / 32, groups = (m.rows + 7) / 8;
    std::shared_ptr<uint8_t[]> buf = huge_page_buffer(size_t(groups * nb) * sizeof(Rec));
    auto* out = reinterpret_cast<Rec*>(buf.get());
    for (int64_t g = 0; g < groups; ++g) {
        const Block* rows[8];
        for (int r = 0; r < 8; ++r) {
            const int64_t row = 8 * g + r;
            rows[r] = row < m.rows
                          ? reinterpret_cast<const Block*>(m.data + size_t(row) * m.row_bytes)
                          : nullptr;
        }
        for (int64_t b = 0; b < nb; ++b) pack_record(rows, b, out[g * nb + b]);
    }
    m.packed = std::move(buf);
    m.layout = kLayoutX8;
}

}  // namespace

void pack(Matrix& m) {
    if (m.layout != kLayoutRows) return;
    switch (m.type) {
        case DType::Q4_0:
            return pack_as<Q4_0, BlockQ4_0>(m);
        case DType::Q4_1:
            return pack_as<Q4_1, BlockQ4_1>(m);
        case DType::Q5_0:
            return pack_as<Q5_0, BlockQ5_0>(m);
        case DType::Q5_1:
            return pack_as<Q5_1, BlockQ5_1>(m);
        case DType::Q8_0:
            return pack_as<Q8_0, BlockQ8_0>(m);
        default:
            return;
    }
}

}  // namespace qe::x8
