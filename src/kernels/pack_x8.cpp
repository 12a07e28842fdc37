#include "kernels/pack_x8.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "quant/blocks.h"
#include "quant/codecs.h"

namespace qe::x8 {
namespace {

uint32_t load_u32(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// p[0..3] |= v, little-endian.
void or_u32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] |= uint8_t(v >> (8 * i));
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

// Q4_K: each row's quants and unpacked scales placed as pack_x8.h describes.
void pack_record(const BlockQ4_K* const* rows, int64_t b, Q4_K& out) {
    std::memset(&out, 0, sizeof out);
    for (int r = 0; r < 8; ++r) {
        if (!rows[r]) continue;
        const BlockQ4_K& blk = rows[r][b];
        out.d[r] = blk.d;
        out.dmin[r] = blk.dmin;
        for (int j = 0; j < 8; ++j) {
            int sc = 0, m = 0;
            unpack_scale_min_k4(blk.scales, j, &sc, &m);
            out.sc[8 * j + r] = uint8_t(sc);
            out.m[8 * j + r] = uint8_t(m);
        }
        // 4 elements at a time: GGUF bytes 32c + 4g .. 32c + 4g + 3 hold elements 64c + 4g + i
        // (low nibbles: sub-block 2c, group g) and 64c + 32 + 4g + i (sub-block 2c + 1)
        for (int c = 0; c < 4; ++c)
            for (int g = 0; g < 8; ++g) {
                const uint32_t v = load_u32(blk.qs + 32 * c + 4 * g);
                const int shift = 4 * (g / 4);
                or_u32(out.qs + 32 * (8 * c + g % 4) + 4 * r, (v & 0x0f0f0f0fu) << shift);
                or_u32(out.qs + 32 * (8 * c + 4 + g % 4) + 4 * r, ((v >> 4) & 0x0f0f0f0fu)
                                                                      << shift);
            }
    }
}

// Q6_K: each row's quants (low nibble and top two bits apart, as in GGUF) and scales placed as
// pack_x8.h describes.
void pack_record(const BlockQ6_K* const* rows, int64_t b, Q6_K& out) {
    std::memset(&out, 0, sizeof out);
    for (int r = 0; r < 8; ++r) {
        if (!rows[r]) continue;
        const BlockQ6_K& blk = rows[r][b];
        out.d[r] = blk.d;
        for (int k = 0; k < 16; ++k) out.sc[16 * (k / 2) + 2 * r + k % 2] = blk.scales[k];
        // 4 elements at a time: elements 128h + 32s + 4u + i (GGUF order, see quant_k.cpp) have
        // their low nibbles in ql bytes 64h + 32(s % 2) + 4u + i (nibble s / 2) and their top bits
        // in qh bytes 32h + 4u + i (bits 2s, 2s + 1); they are group u % 4 of sub-block
        // 8h + 2s + u / 4.
        for (int h = 0; h < 2; ++h)
            for (int s = 0; s < 4; ++s)
                for (int u = 0; u < 8; ++u) {
                    const uint32_t low =
                        (load_u32(blk.ql + 64 * h + 32 * (s % 2) + 4 * u) >> (4 * (s / 2))) &
                        0x0f0f0f0fu;
                    const uint32_t top =
                        (load_u32(blk.qh + 32 * h + 4 * u) >> (2 * s)) & 0x03030303u;
                    const int j = 8 * h + 2 * s + u / 4, g = u % 4;
                    or_u32(out.ql + 32 * (2 * j + g % 2) + 4 * r, low << (4 * (g / 2)));
                    or_u32(out.qh + 32 * j + 4 * r, top << (2 * g));
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

template <typename Rec, typename Block, int kElems = 32>
void pack_as(Matrix& m) {
    const int64_t nb = m.cols / kElems, groups = (m.rows + 7) / 8;
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
        case DType::Q4_K:
            return pack_as<Q4_K, BlockQ4_K, kBlockK>(m);
        case DType::Q6_K:
            return pack_as<Q6_K, BlockQ6_K, kBlockK>(m);
        default:
            return;
    }
}

}  // namespace qe::x8
