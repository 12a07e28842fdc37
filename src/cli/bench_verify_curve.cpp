#include "cli/bench_verify_curve.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>

#include "cli/bench_stats.h"
#include "core/error.h"

namespace qe::cli {

std::vector<VerifyCurveRow> measure_verify_curve(Runtime& runtime, const VerifyCurveOptions& o) {
    if (o.depths.empty()) throw Error("bench: --depths names no depth");
    if (o.max_tokens < 1 || o.max_tokens > kMaxVerifyChunk)
        throw Error("bench: a verification pass takes 1 to " + std::to_string(kMaxVerifyChunk) +
                    " tokens, not " + std::to_string(o.max_tokens));
    const int deepest = *std::max_element(o.depths.begin(), o.depths.end());
    if (*std::min_element(o.depths.begin(), o.depths.end()) < 0)
        throw Error("bench: a depth cannot be negative");
    ForwardModel& model = runtime.model();
    const int wanted = deepest + o.max_tokens;
    auto state = model.new_sequence(effective_context(model.config(), wanted), DType::F16);
    if (state->n_ctx() < wanted)
        throw Error("bench: depth " + std::to_string(deepest) + " + " +
                    std::to_string(o.max_tokens) + " tokens is larger than the model's context (" +
                    std::to_string(state->n_ctx()) + ")");

    std::mt19937 rng(42);
    std::uniform_int_distribution<int> pick(0, std::min(model.config().vocab_size, 150000) - 1);
    std::vector<int> history(static_cast<size_t>(deepest));
    std::vector<int> proposal(static_cast<size_t>(o.max_tokens));
    for (int& id : history) id = pick(rng);
    for (int& id : proposal) id = pick(rng);

    int filled = 0;  // positions of `history` in the state
    // One verification pass over the first k proposal tokens after `depth` positions.
    auto pass_ms = [&](int depth, int k) {
        if (state->reusable_prefix(depth) != depth)
            throw Error("bench: this model's state cannot take back a verification pass");
        state->rewind(depth);
        const SequenceChunk chunk{state.get(),         std::span(proposal).first(size_t(k)), depth,
                                  /*all_logits=*/true,
                                  /*keep=*/false,
                                  /*verify=*/true};
        const auto start = BenchClock::now();
        model.forward({&chunk, 1});
        return ms_since(start);
    };

    std::vector<VerifyCurveRow> rows;
    for (int depth : o.depths) {
        // The context up to this depth, evaluated once (a shallower depth rewinds to it).
        if (depth < filled) filled = 0;
        state->rewind(filled);  // drops the last verification pass (or everything)
        if (depth > filled) {
            const SequenceChunk fill{
                state.get(), std::span(history).subspan(size_t(filled), size_t(depth - filled)),
                filled, false, /*keep=*/true};
            model.forward({&fill, 1});
        }
        filled = depth;
        for (int k = 1; k <= o.max_tokens; ++k) pass_ms(depth, k);  // warm-up
        // k in a rotated order each repetition, so that a slow spell of the machine does not
        // fall on one k alone.
        std::vector<std::vector<double>> times(size_t(o.max_tokens));
        for (int r = 0; r < o.repetitions; ++r)
            for (int i = 0; i < o.max_tokens; ++i) {
                const int k = 1 + (i + r) % o.max_tokens;
                times[size_t(k - 1)].push_back(pass_ms(depth, k));
            }
        VerifyCurveRow row{depth, {}};
        for (auto& t : times) row.ms.push_back(median(t));
        rows.push_back(std::move(row));
    }
    return rows;
}

int tokens_within(const VerifyCurveRow& row, double ratio) {
    int k = 1;
    for (size_t i = 1; i < row.ms.size(); ++i)
        if (row.ms[i] <= ratio * row.ms[0]) k = int(i + 1);
    return k;
}

nlohmann::ordered_json verify_curve_json(const std::vector<VerifyCurveRow>& rows) {
    auto out = nlohmann::ordered_json::array();
    for (const VerifyCurveRow& row : rows) {
        auto relative = nlohmann::ordered_json::array();
        for (double ms : row.ms) relative.push_back(ms / row.ms[0]);
        out.push_back({{"depth", row.depth},
                       {"ms", row.ms},
                       {"relative", relative},
                       {"tokens_within_1_2x", tokens_within(row, 1.2)}});
    }
    return out;
}

void print_verify_curve(const std::vector<VerifyCurveRow>& rows, int repetitions) {
    if (rows.empty()) return;
    const size_t n = rows[0].ms.size();
    auto columns = [&] {
        std::printf("  depth ");
        for (size_t k = 1; k <= n; ++k) std::printf("   k=%-3zu", k);
        std::printf("\n");
    };
    std::printf(
        "verification pass over k tokens of one sequence (logits for each), ms (median of %d)\n",
        repetitions);
    columns();
    for (const VerifyCurveRow& row : rows) {
        std::printf("  %5d ", row.depth);
        for (double ms : row.ms) std::printf(" %7.2f", ms);
        std::printf("\n");
    }
    std::printf("relative to the 1-token pass\n");
    columns();
    for (const VerifyCurveRow& row : rows) {
        std::printf("  %5d ", row.depth);
        for (double ms : row.ms) std::printf(" %6.2fx", ms / row.ms[0]);
        std::printf("   %d tokens within 1.2x\n", tokens_within(row, 1.2));
    }
}

}  // namespace qe::cli
