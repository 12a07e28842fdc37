// Draft-model drafting for speculative decoding: a small model of the same vocabulary (Qwen2.5-0.5B
// for Qwen2.5-1.5B/3B/7B) proposes the next tokens greedily, and the target checks them in one
// pass. A proposal costs one pass of the small model; the target reads its larger weights once
// for all of them.
//
// One DraftModel serves every job of a scheduler: one Runtime (the weights prepared once, its
// passes on the engine thread, as many threads as the target's), and a state per job. A job's
// drafter keeps the ids evaluated into its state, rewinds to what they share with the sequence it
// is asked about, feeds what is new, and decodes while the proposals are likely enough to be
// worth their cost. The states of finished jobs are kept for later ones, which continue from the
// longest prefix they share (a conversation's next turn).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/dtype.h"
#include "engine/drafter.h"
#include "model/loaded_model.h"
#include "model/runtime.h"

namespace qe {

struct DraftOptions {
    int n_ctx = 4096;  // positions of a job's state: the target's slot context
    DType kv_type = DType::F16;
    int n_threads = 0;  // the target's thread count (0: one per hardware thread)
    ForwardPath path = ForwardPath::Fast;
    // Prepare the matrices on a background thread from the first pass on (the first answer need
    // not wait for it); off: at once, before the constructor returns (benchmarks).
    bool repack_in_background = true;
    // Drafting stops before a token that would bring the chance that every proposal so far is
    // right (the product of the draft's top probabilities) under this. Below 0: the cost of a
    // proposal relative to the target's pass (draft_threshold). 0: always `max` tokens (the
    // target drafting for itself, to measure the bound where every proposal is accepted).
    float min_chain_probability = -1;
};

// What a proposal costs in units of a target pass: the draft's weights read once over the
// target's (both passes are bound by memory bandwidth), plus the verification pass's extra row.
float draft_threshold(uint64_t draft_weight_bytes, uint64_t target_weight_bytes);

struct DraftStats {
    uint64_t passes = 0;    // forward passes of the draft model
    uint64_t proposed = 0;  // tokens proposed
};

class DraftModel {
  public:
    // Checks that the draft tokenizes as the target does (vocab_difference) and prepares its
    // runtime. Throws qe::Error naming the first difference, or when either has no tokenizer.
    DraftModel(std::shared_ptr<const LoadedModel> draft, const LoadedModel& target,
               const DraftOptions& options);
    ~DraftModel();
    DraftModel(const DraftModel&) = delete;
    DraftModel& operator=(const DraftModel&) = delete;

    // Makes one job's drafter. The drafters keep what they share alive: they may outlive this.
    DrafterFactory factory() const;

    const LoadedModel& model() const;
    float min_chain_probability() const;
    // The weights' bytes and one job's state: what the memory budget counts per slot.
    uint64_t weight_bytes() const;
    size_t state_bytes() const;
    DraftStats stats() const;  // thread-safe
    // e.g. "draft qwen2.5-0.5b-q8_0 (qwen2, 24 layers, ...), 2 threads, state 48.0 MiB per job,
    // drafting while the chain's probability is at least 0.38"
    std::string describe() const;

    struct Shared;

  private:
    std::shared_ptr<Shared> shared_;
};

}  // namespace qe
