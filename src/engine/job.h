// A generation job as the scheduler runs it: the prompt's ids, when to stop, and the callback that
// hears each token and the end. The one generation loop of the program is the scheduler's; the
// terminal commands run it with one slot.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sampling/loop_guard.h"
#include "sampling/sampler.h"

namespace qe {

struct GenerateOptions {
    int max_tokens = 256;       // 0: evaluate the prompt only
    SamplingParams sampling;    // temperature 0 means greedy
    std::vector<int> stop_ids;  // e.g. <|im_end|>, <|endoftext|>; not part of the output
    LoopGuardParams loop_guard;
    std::vector<int> banned_ids;  // never sampled (e.g. the tool-call tag under tool_choice none)
    // A measurement mode for benchmarks, not for answers: when not empty, answer token i is
    // replay[i] instead of a sampled one (the job ends with "length" after the last), while the
    // forward passes still run as for a real answer and proposals are accepted where they match
    // the replay. So a bench measures speculative decoding at the acceptance a given answer text
    // gives, as for a model that writes that text.
    std::vector<int> replay;
};

// What a job reports, on the engine thread: one event per generated token, then a final one.
struct JobEvent {
    int token = -1;             // a generated token (never a stop token); -1 on the final event
    bool done = false;          // the final event: finish_reason and the counts are set
    std::string finish_reason;  // "stop", "length", "repetition", "context", "cancelled", "error"
    std::string error;          // when finish_reason is "error"
    int prompt_tokens = 0;
    int cached_tokens = 0;  // prompt tokens whose state came from the prefix cache
    int completion_tokens = 0;
    double queue_ms = 0;    // waiting for a slot
    double ttft_ms = 0;     // submit -> first token
    double prefill_ms = 0;  // slot taken -> first token (the prompt's evaluation)
    double decode_ms = 0;   // first token -> end
    double decode_tokens_per_second = 0;
    // Speculative decoding: tokens proposed and accepted, and the forward passes this job's
    // answer took after the first token (each decodes one token plus the proposals accepted).
    int draft_tokens = 0;
    int draft_accepted = 0;
    int decode_passes = 0;
};

// A callback's answer to a token event: go on, end the answer here as complete ("stop": a stop
// string was seen), or cancel it ("cancelled": the client went away). `true` / `false` read as
// continue / cancel.
struct JobReply {
    enum Kind { kContinue, kStop, kCancel };
    Kind kind;
    JobReply(bool go_on) : kind(go_on ? kContinue : kCancel) {}  // NOLINT: implicit on purpose
    static JobReply stop() { return JobReply(kStop); }

  private:
    explicit JobReply(Kind k) : kind(k) {}
};

using JobCallback = std::function<JobReply(const JobEvent&)>;

// Limits which tokens a job may sample (constrained decoding: a JSON schema, a grammar). On the
// engine thread: mask() before each sampling step, accept() with the token sampled from the
// masked logits. Kept apart from the sampler: it follows the text, the sampler only the logits.
//
// Its state can be copied and rewound, so that speculative decoding can verify several drafted
// tokens under the masks they would meet and take back the ones it rejects.
class TokenConstraint {
  public:
    virtual ~TokenConstraint() = default;
    // Sets the logits of the tokens not allowed next to -infinity.
    virtual void mask(std::span<float> logits) = 0;
    // The token sampled; false when the constraint refuses it (the job ends with an error) and
    // then nothing changes.
    virtual bool accept(int token) = 0;
    // Undoes the last `n` accepted tokens (at most as many as were accepted): the masks are
    // those of the shorter prefix again.
    virtual void rewind(size_t n) = 0;
    // An independent copy of the state: it masks as this one does, and what either accepts or
    // rewinds from then on leaves the other alone.
    virtual std::unique_ptr<TokenConstraint> clone() const = 0;
};

struct JobRequest {
    std::vector<int> prompt;
    GenerateOptions options;  // max_tokens, sampling, stop ids, loop guard
    JobCallback on_event;
    // Optional, on the engine thread: the logits each answer token is sampled from (exactness
    // checks, log-probabilities). The span is valid only during the call.
    std::function<void(std::span<const float>)> on_logits = {};
    // Optional: the tokens allowed at each step; its state belongs to this job alone.
    std::shared_ptr<TokenConstraint> constraint = {};
    // A prompt position a later prompt is likely to share (a chat: where the conversation before
    // the generation prompt ends, which the next turn's prompt repeats). The prompt is evaluated
    // so that a chunk ends there, and a recurrent state keeps a checkpoint of it; 0: none.
    int keep_at = 0;
};

class JobHandle {
  public:
    // Asks the engine to stop the job at its next step (thread-safe).
    void cancel() { cancelled_.store(true); }
    bool cancelled() const { return cancelled_.load(); }

  private:
    std::atomic<bool> cancelled_{false};
};

}  // namespace qe
