#include "kernels/cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace qe {
namespace {

#if defined(__x86_64__) || defined(__i386__)

bool bit(unsigned reg, int b) {
    return (reg >> b) & 1u;
}

CpuFeatures detect() {
    CpuFeatures f;
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    const bool fma = bit(c, 12), osxsave = bit(c, 27), avx = bit(c, 28), f16c = bit(c, 29);
    if (!osxsave || !avx) return f;
    unsigned xcr0_lo, xcr0_hi;
    __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    const bool ymm_state = (xcr0_lo & 0x6) == 0x6;    // SSE + AVX state
    const bool zmm_state = (xcr0_lo & 0xe6) == 0xe6;  // + opmask, ZMM hi256, hi16 ZMM
    if (__get_cpuid_max(0, nullptr) < 7) return f;
    __cpuid_count(7, 0, a, b, c, d);
    const bool avx2 = bit(b, 5), avx512f = bit(b, 16), avx512dq = bit(b, 17), avx512bw = bit(b, 30),
               avx512vl = bit(b, 31), vnni = bit(c, 11);
    f.avx2_fma_f16c = ymm_state && avx2 && fma && f16c;
    f.avx512_vnni =
        f.avx2_fma_f16c && zmm_state && avx512f && avx512dq && avx512bw && avx512vl && vnni;
    unsigned a1, b1, c1, d1;
    __cpuid_count(7, 1, a1, b1, c1, d1);
    f.avx512_bf16 = f.avx512_vnni && bit(a1, 5);
    return f;
}

#elif defined(__aarch64__) && defined(__linux__)

CpuFeatures detect() {
    CpuFeatures f;
    f.neon_dotprod = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
    return f;
}

#else

CpuFeatures detect() {
    return {};
}

#endif

}  // namespace

const CpuFeatures& cpu_features() {
    static const CpuFeatures features = detect();
    return features;
}

}  // namespace qe
