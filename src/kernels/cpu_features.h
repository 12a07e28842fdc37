// What the CPU (and the OS, for the wider register state) supports, read once.
#pragma once

namespace qe {

struct CpuFeatures {
    bool avx2_fma_f16c = false;  // x86: AVX2 + FMA + F16C with YMM state enabled
    bool avx512_vnni = false;    // x86: AVX-512 F/BW/VL/DQ + VNNI with ZMM state enabled
    bool avx512_bf16 = false;    // x86: AVX512_BF16 (vdpbf16ps)
    bool neon_dotprod = false;   // aarch64: NEON with the dot product extension
};

const CpuFeatures& cpu_features();

}  // namespace qe
