#include "grammar/utf8_ranges.h"

#include <algorithm>
#include <string>

#include "core/utf8.h"

namespace qe::grammar {

namespace {

constexpr uint32_t kMaxCodePoint = 0x10FFFF;

// The UTF-8 bytes of a code point, by core/utf8.h; returns their count.
int encode(uint32_t cp, uint8_t* out) {
    std::string bytes;
    utf8::append(bytes, char32_t(cp));
    std::copy(bytes.begin(), bytes.end(), out);
    return int(bytes.size());
}

// Sorted, merged, surrogates cut out.
std::vector<CodePointRange> normalize(std::vector<CodePointRange> ranges) {
    std::vector<CodePointRange> cut;
    for (auto [lo, hi] : ranges) {
        hi = std::min(hi, kMaxCodePoint);
        if (lo > hi) continue;
        if (lo < 0xD800 && hi >= 0xD800) {
            if (hi > 0xDFFF) cut.push_back({0xE000, hi});
            hi = 0xD7FF;
        } else if (lo >= 0xD800 && lo <= 0xDFFF) {
            if (hi <= 0xDFFF) continue;
            lo = 0xE000;
        }
        cut.push_back({lo, hi});
    }
    std::sort(cut.begin(), cut.end());
    std::vector<CodePointRange> merged;
    for (const auto& r : cut) {
        if (!merged.empty() && r.first <= merged.back().second + 1) {
            merged.back().second = std::max(merged.back().second, r.second);
        } else {
            merged.push_back(r);
        }
    }
    return merged;
}

// The encodings of [lo, hi] where both have `n` bytes and share bytes [0, i): the classic
// split at the first differing byte into a low edge, a full middle and a high edge.
void split(const uint8_t* lo, const uint8_t* hi, int i, int n, std::vector<ByteSet>& prefix,
           std::vector<std::vector<ByteSet>>& out) {
    if (i == n - 1) {
        prefix.push_back(ByteSet::range(lo[i], hi[i]));
        out.push_back(prefix);
        prefix.pop_back();
        return;
    }
    if (lo[i] == hi[i]) {
        prefix.push_back(ByteSet::of(lo[i]));
        split(lo, hi, i + 1, n, prefix, out);
        prefix.pop_back();
        return;
    }
    uint8_t top[4], bottom[4];
    std::fill(top, top + 4, uint8_t(0xBF));
    std::fill(bottom, bottom + 4, uint8_t(0x80));
    const bool lo_edge_full = std::all_of(lo + i + 1, lo + n, [](uint8_t b) { return b == 0x80; });
    const bool hi_edge_full = std::all_of(hi + i + 1, hi + n, [](uint8_t b) { return b == 0xBF; });
    const uint8_t mid_lo = lo_edge_full ? lo[i] : uint8_t(lo[i] + 1);
    const uint8_t mid_hi = hi_edge_full ? hi[i] : uint8_t(hi[i] - 1);
    if (!lo_edge_full) {
        prefix.push_back(ByteSet::of(lo[i]));
        split(lo, top, i + 1, n, prefix, out);
        prefix.pop_back();
    }
    if (mid_lo <= mid_hi) {
        std::vector<ByteSet> seq = prefix;
        seq.push_back(ByteSet::range(mid_lo, mid_hi));
        for (int k = i + 1; k < n; ++k) seq.push_back(ByteSet::range(0x80, 0xBF));
        out.push_back(seq);
    }
    if (!hi_edge_full) {
        prefix.push_back(ByteSet::of(hi[i]));
        split(bottom, hi, i + 1, n, prefix, out);
        prefix.pop_back();
    }
}

}  // namespace

std::vector<CodePointRange> complement(std::vector<CodePointRange> ranges) {
    std::vector<CodePointRange> out;
    uint32_t next = 0;
    for (const auto& [lo, hi] : normalize(std::move(ranges))) {
        if (lo > next) out.push_back({next, lo - 1});
        next = hi + 1;
    }
    if (next <= kMaxCodePoint) out.push_back({next, kMaxCodePoint});
    return normalize(out);
}

std::vector<std::vector<ByteSet>> utf8_alternatives(std::vector<CodePointRange> ranges) {
    static constexpr uint32_t kLengthEnds[] = {0x7F, 0x7FF, 0xFFFF, kMaxCodePoint};
    std::vector<std::vector<ByteSet>> out;
    ByteSet ascii;  // one alternative for all single bytes: the common case stays one element
    for (auto [lo, hi] : normalize(std::move(ranges))) {
        // Cut the range where the encoded length changes.
        uint32_t start = 0;
        for (uint32_t end : kLengthEnds) {
            const uint32_t a = std::max(lo, start), b = std::min(hi, end);
            start = end + 1;
            if (a > b) continue;
            if (b < 0x80) {
                ascii.add_range(uint8_t(a), uint8_t(b));
                continue;
            }
            uint8_t ea[4], eb[4];
            const int n = encode(a, ea);
            encode(b, eb);
            std::vector<ByteSet> prefix;
            split(ea, eb, 0, n, prefix, out);
        }
    }
    if (!ascii.empty()) out.insert(out.begin(), {ascii});
    return out;
}

}  // namespace qe::grammar
