// Detects a small model stuck repeating itself: the tail of the generated tokens is one n-gram
// (1..max_period tokens) repeated back to back at least min_repeats times, spanning at least
// min_span tokens. Generation then stops with finish reason "repetition".
#pragma once

#include <span>

namespace qe {

struct LoopGuardParams {
    bool enabled = true;
    int max_period = 128;  // longest repeated unit looked for, in tokens
    int min_repeats = 4;   // how many times the unit must occur back to back
    int min_span = 64;     // and how many tokens the repetition must cover at least
};

// True when `generated` (the answer's tokens so far, not the prompt) ends in a loop.
bool ends_in_loop(std::span<const int> generated, const LoopGuardParams& params);

}  // namespace qe
