// One sequence's positions through a model's forward pass (the model interface takes chunks of
// several sequences; most tests evaluate one).
#pragma once

#include <span>

#include "model/activation_dump.h"
#include "model/batch.h"
#include "model/forward_model.h"

namespace qe::test {

inline std::span<const float> forward(ForwardModel& model, SequenceState& state,
                                      std::span<const int> ids, int start_pos, LogitsFor which,
                                      const ActivationDump* dump = nullptr) {
    model.set_dump(dump);
    const SequenceChunk chunk{&state, ids, start_pos, which == LogitsFor::All};
    const auto logits = model.forward({&chunk, 1});
    model.set_dump(nullptr);
    return logits;
}

}  // namespace qe::test
