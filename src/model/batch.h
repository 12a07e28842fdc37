// What one forward call evaluates, and the checks every path applies to it first.
#pragma once

#include <span>

#include "model/config.h"
#include "model/forward_model.h"

namespace qe {

// Which positions of a batch get logits: only the last (prefill, decode) or every one.
enum class LogitsFor { Last, All };

// Throws qe::Error when the batch is empty, an id is outside the vocabulary, or positions
// start_pos .. start_pos + ids.size() - 1 do not fit in a context of n_ctx.
void check_batch(const ModelConfig& config, int n_ctx, std::span<const int> ids, int start_pos);

// Throws qe::Error for a verification chunk (SequenceChunk::verify) of more than kMaxVerifyChunk
// positions or one asking to keep a checkpoint (a point the engine may take back is none to keep).
void check_verify(const SequenceChunk& chunk);

}  // namespace qe
