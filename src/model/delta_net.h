// The Gated DeltaNet layer of the fast path (hybrid models, qwen35): the steps of the reference
// (qwen35_reference.cpp) with the projections done by matmul() and the rest split across the
// pool: the convolution by position, the delta rule by (sequence, head). The delta rule of a
// sequence's run of up to kMaxVerifyChunk positions (decode, speculative verification) takes its
// recurrent form (KernelTable::delta_rule_step), token after token, so those rows do not depend on
// what else shares the pass or on how the tokens are split into passes (batch invariance); longer
// runs (prompts) take the chunked form (KernelTable::delta_rule_chunked), equal up to the order of
// float sums.
#pragma once

#include <vector>

#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "model/config.h"
#include "model/hybrid_state.h"
#include "model/matmul.h"
#include "model/matrices.h"
#include "model/weights.h"

namespace qe {

// Activations of a DeltaNet layer for up to max_batch positions, allocated once.
struct DeltaNetScratch {
    DeltaNetScratch(const ModelConfig& c, int max_batch);
    std::vector<float> qkv;    // [max_batch, ssm_conv_dim] the input projection, [q | k | v]
    std::vector<float> mixed;  // [max_batch, ssm_conv_dim] after the convolution and SiLU
    std::vector<float> z;      // [max_batch, ssm_v_dim] the output gate
    std::vector<float> alpha;  // [max_batch, ssm_v_heads]
    std::vector<float> beta;   // [max_batch, ssm_v_heads]
    std::vector<float> o;      // [max_batch, ssm_v_dim] the delta rule's output, then gated
    std::vector<float> ones;   // [ssm_conv_dim] 1.0f: the convolution's SiLU via silu_mul
    MatmulInput o_in;
};

// Layer `delta_layer` (its place among the DeltaNet layers) on the normed input `xn_in`
// ([n, dim], already set), row t belonging to states[t] (a sequence's rows consecutive and in
// order, following the positions its state holds). out: [n, dim], before the residual add.
void delta_net_layer(ThreadPool& pool, const KernelTable& k, const ModelConfig& c,
                     const LayerWeights& L, const LayerMatrices& M, int delta_layer,
                     HybridState* const* states, int n, MatmulInput& xn_in, DeltaNetScratch& s,
                     float* out);

}  // namespace qe
