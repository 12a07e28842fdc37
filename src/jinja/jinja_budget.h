// Limits that keep a hostile or buggy template from hanging or exhausting memory: every render
// gets a budget of evaluation steps, a cap on the size of any text it builds (the output
// included) and a cap on nested macro calls. Exceeding one is a render error, never a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "jinja/jinja_value.h"

namespace qe::jinja {

struct RenderLimits {
    size_t max_output_bytes = size_t{16} << 20;  // any string built, the rendered prompt included
    // Expression nodes, statements, loop turns (kLoopTurnCost each) and 1 per 64 bytes built: a
    // 2000-message conversation through the Qwen2.5 template takes about 0.2 M.
    uint64_t max_steps = 10'000'000;
    int max_call_depth = 64;  // nested macro calls
};

// A loop turn allocates a scope; it is charged like a few expression nodes.
inline constexpr uint64_t kLoopTurnCost = 4;

class Budget {
  public:
    explicit Budget(const RenderLimits& limits) : limits_(limits) {}

    const RenderLimits& limits() const { return limits_; }

    void step(uint64_t n = 1) {
        steps_ += n;
        if (steps_ > limits_.max_steps) {
            throw EvalError("template exceeded its budget of " + std::to_string(limits_.max_steps) +
                            " evaluation steps");
        }
    }

    // Refuses a string or list of `size` bytes/items past the limit (while one is being built).
    void check_size(size_t size) const {
        if (size > limits_.max_output_bytes) {
            throw EvalError("template built a value of " + std::to_string(size) +
                            " bytes or items, over the limit of " +
                            std::to_string(limits_.max_output_bytes));
        }
    }

    // For a string or list of `size` bytes/items about to be (or just) built: checks the size
    // and charges for the work.
    void build(size_t size) {
        check_size(size);
        step(size / 64);
    }

    // Before walking a value (printing, comparing, serializing it).
    void walk(const Value& v) { step(v.weight()); }

  private:
    RenderLimits limits_;
    uint64_t steps_ = 0;
};

}  // namespace qe::jinja
