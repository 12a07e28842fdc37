// Software prefetch for the decoding kernels, which stream every weight once per token: asking
// for the bytes 1 KiB ahead of the ones being read (every cache line of a record or super-block)
// keeps more memory requests in flight than the hardware prefetcher alone, worth about 10% of
// decoding speed where memory bandwidth is the limit (measured on Zen 3, see PERFORMANCE.md).
#pragma once

#include <cstddef>

namespace qe {
namespace {  // internal linkage: included by files compiled with different ISA flags

constexpr size_t kPrefetchAheadBytes = 1024;

template <typename Record>
inline void prefetch_ahead(const Record* p) {
    const char* ahead = reinterpret_cast<const char*>(p) + kPrefetchAheadBytes;
    for (size_t o = 0; o < sizeof(Record); o += 64) __builtin_prefetch(ahead + o, 0, 3);
}

}  // namespace
}  // namespace qe
