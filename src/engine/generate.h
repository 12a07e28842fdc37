// The generation loop: prefill a prompt, then sample and decode one token at a time until a stop
// token, the token limit, the end of the context, a repetition loop, or the caller says stop.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "engine/session.h"
#include "sampling/loop_guard.h"
#include "sampling/sampler.h"

namespace qe {

struct GenerateOptions {
    int max_tokens = 256;
    SamplingParams sampling;    // temperature 0 means greedy
    std::vector<int> stop_ids;  // e.g. <|im_end|>, <|endoftext|>; not part of the output
    LoopGuardParams loop_guard;
};

struct GenerateResult {
    std::vector<int> tokens;     // generated, without the stop token
    std::string finish_reason;   // "stop", "length", "context", "repetition" or "cancelled"
    double prefill_seconds = 0;  // prompt evaluation, up to the first token's logits
    double decode_seconds = 0;   // everything after
    int prompt_tokens = 0;
};

// Called with each new token; returning false stops generation ("cancelled").
using TokenCallback = std::function<bool(int token)>;

// Evaluates `prompt` after whatever the session already holds, then generates.
GenerateResult generate(Session& session, std::span<const int> prompt,
                        const GenerateOptions& options, const TokenCallback& on_token = {});

}  // namespace qe
