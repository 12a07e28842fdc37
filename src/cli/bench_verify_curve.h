// The verification curve of speculative decoding: the time of one forward pass over k = 1..8
// tokens of one sequence (logits for every position, as a verification pass asks) at a few
// context depths, against the 1-token pass. Generation reads every weight once per pass, so
// while the matrix products stay bandwidth-bound a pass over k tokens costs little more than
// over one: the curve says how many proposals one pass can check for about the price of a token.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "model/runtime.h"

namespace qe::cli {

struct VerifyCurveOptions {
    std::vector<int> depths = {0, 1024, 4096};  // tokens already in the context
    int max_tokens = 8;                         // k = 1 .. max_tokens
    int repetitions = 5;                        // passes timed per (depth, k); the median is kept
};

struct VerifyCurveRow {
    int depth = 0;
    std::vector<double> ms;  // [k - 1]: median milliseconds of one pass over k tokens
};

// Measures the curve on one sequence of `runtime`'s model, depths in the order given (each
// depth's context filled once with drawn ids). Throws qe::Error when a depth and max_tokens
// don't fit the model's context, or the model's state cannot take back a verification pass.
std::vector<VerifyCurveRow> measure_verify_curve(Runtime& runtime, const VerifyCurveOptions& o);

// The most tokens a pass checks within `ratio` times the 1-token pass's time (at least 1).
int tokens_within(const VerifyCurveRow& row, double ratio);

// The rows as JSON: [{depth, ms: [...], relative: [...], tokens_within_1_2x}].
nlohmann::ordered_json verify_curve_json(const std::vector<VerifyCurveRow>& rows);

// The rows as two tables on stdout: milliseconds per pass, then relative to the 1-token pass.
void print_verify_curve(const std::vector<VerifyCurveRow>& rows, int repetitions);

}  // namespace qe::cli
