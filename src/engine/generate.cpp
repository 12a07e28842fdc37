#include "engine/generate.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"

namespace qe {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

GenerateResult generate(Session& session, std::span<const int> prompt,
                        const GenerateOptions& options, const TokenCallback& on_token) {
    if (options.max_tokens < 0)
        throw Error("max_tokens must not be negative, not " + std::to_string(options.max_tokens));
    options.sampling.validate();
    Sampler sampler(options.sampling);
    GenerateResult result;
    result.prompt_tokens = int(prompt.size());
    std::vector<int> history(prompt.begin(), prompt.end());  // for the sampler's penalties

    auto start = std::chrono::steady_clock::now();
    std::span<const float> logits = session.eval(prompt, LogitsFor::Last);
    result.prefill_seconds = seconds_since(start);
    start = std::chrono::steady_clock::now();

    result.finish_reason = "length";
    while (int(result.tokens.size()) < options.max_tokens) {
        const int token = sampler.sample(logits, history);
        if (std::find(options.stop_ids.begin(), options.stop_ids.end(), token) !=
            options.stop_ids.end()) {
            result.finish_reason = "stop";
            break;
        }
        result.tokens.push_back(token);
        history.push_back(token);
        if (on_token && !on_token(token)) {
            result.finish_reason = "cancelled";
            break;
        }
        if (ends_in_loop(result.tokens, options.loop_guard)) {
            result.finish_reason = "repetition";
            break;
        }
        if (int(result.tokens.size()) == options.max_tokens) break;
        if (session.n_past() >= session.n_ctx()) {
            result.finish_reason = "context";
            break;
        }
        logits = session.eval({&token, 1}, LogitsFor::Last);
    }
    result.decode_seconds = seconds_since(start);
    return result;
}

}  // namespace qe
