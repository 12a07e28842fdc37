// The seam between the engine and a model architecture. The engine never names an architecture:
// it asks a ForwardModel for a fresh per-sequence state, feeds it chunks of token ids of one or
// more sequences in one pass, and reads back logits. What a sequence keeps between passes (a KV
// cache, a recurrent state, or both) is the model's business; the engine only asks how far back
// a state can be reused and tells it where to continue.
#pragma once

#include <memory>
#include <span>

#include "core/dtype.h"
#include "model/config.h"

namespace qe {

class ActivationDump;

// What one sequence keeps between forward passes.
class SequenceState {
  public:
    virtual ~SequenceState() = default;
    virtual int n_ctx() const = 0;     // positions it can hold
    virtual size_t bytes() const = 0;  // memory it holds
    // Of the first n positions evaluated into this state, how many it can continue from: a KV
    // cache can keep any prefix; a recurrent state only its end and the ends of the chunks
    // evaluated with `keep` (SequenceChunk).
    virtual int reusable_prefix(int n) const = 0;
    // It resumes only at kept points (a recurrent state): a chunk worth keeping must end there.
    virtual bool resumes_at_kept_points() const { return false; }
    // The next pass continues at position n (n == reusable_prefix(n)); what came after is dropped.
    virtual void rewind(int n) = 0;
    // Takes the first n positions of `source` (a state of the same model) as if they had been
    // evaluated into this one, so that a prompt prefix shared by many sequences (a reranker's
    // query) is evaluated once. Throws qe::Error when the states differ in kind or layout, or n
    // is more than either holds.
    virtual void copy_prefix(const SequenceState& source, int n) = 0;
};

// One sequence's part of a pass: ids at positions start_pos, start_pos + 1, ... after the
// positions already in `state`.
struct SequenceChunk {
    SequenceState* state = nullptr;
    std::span<const int> ids;
    int start_pos = 0;
    bool all_logits = false;  // logits for every position, not only the last
    // Keep a point to resume from at the end of this chunk: a recurrent state copies itself
    // there (a later prompt sharing these positions continues from it); a KV cache can resume
    // anywhere and ignores it.
    bool keep = false;
    // A verification chunk of speculative decoding (at most kMaxVerifyChunk positions): until
    // the next pass on this state, reusable_prefix(n) == n for every n from start_pos to the
    // chunk's end, so the engine can take back the proposals the model rejected. A KV cache can
    // always; a recurrent state keeps what it needs to replay the chunk's first positions.
    bool verify = false;
};

// The most positions a verification chunk may have.
constexpr int kMaxVerifyChunk = 8;

// What a pass returns for the positions that want output.
enum class ForwardOutput {
    Logits,  // [rows, vocab_size]
    Hidden,  // [rows, dim]: the final-normed hidden state the logits are computed from (embeddings)
};

class ForwardModel {
  public:
    virtual ~ForwardModel() = default;
    virtual const ModelConfig& config() const = 0;

    // A state for one sequence of up to n_ctx positions. Throws qe::Error for a bad kv_type.
    virtual std::unique_ptr<SequenceState> new_sequence(int n_ctx, DType kv_type) const = 0;

    // Evaluates every chunk in one pass and returns logits [rows, vocab_size] (or hidden states
    // [rows, dim]): for each chunk in order, its last position's row, or all its rows when it asks. Valid until the next call.
    // A sequence's rows are the same, bit for bit, whatever else shares the pass and however
    // its tokens are split into chunks (batch invariance). Throws qe::Error before any work on
    // an id out of the vocabulary, a position past the state's context or a chunk without ids.
    virtual std::span<const float> forward(std::span<const SequenceChunk> chunks,
                                           ForwardOutput output = ForwardOutput::Logits) = 0;

    // Writes the named activations of single-chunk passes (nullptr: none).
    virtual void set_dump(const ActivationDump* dump) = 0;
};

}  // namespace qe
