// The one generation loop of the program: serves many generation requests with one model (the
// terminal commands run it with one slot). One engine thread runs every forward pass and owns
// every sequence state; other threads only submit jobs and read events. Up to `slots` jobs run
// together: each step prefills at most one chunk of one new prompt, then decodes one token for
// every running job, so requests join and leave between steps (continuous batching). More jobs
// wait in a bounded queue.
//
// Speculative decoding (on by default): each decoding job's drafter proposes the tokens likely to
// follow, and the step's pass evaluates [next token, proposals...] of the job at once; the job
// keeps the tokens the model agrees with (Sampler::verify, row by row, with everything that can
// end an answer checked after each) and its state is taken back past the first one it rejects.
// Greedy output is token for token the output without it (batch invariance); sampled output has
// the same distribution.
//
// Each slot remembers the tokens evaluated into its sequence state. A new job takes the free slot
// whose cached tokens share the longest prefix with its prompt and evaluates only the rest (as
// much of it as the state can continue from: see SequenceState::reusable_prefix): the next turn
// of a conversation, or a system prompt shared by many users, is not computed again.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/dtype.h"
#include "engine/drafter.h"
#include "engine/job.h"
#include "model/config.h"
#include "model/runtime.h"
#include "model/weights.h"

namespace qe {

struct SpeculativeOptions {
    bool enabled = true;
    int max_draft = 7;       // proposals per step and job, 1..kMaxVerifyChunk - 1
    DrafterFactory drafter;  // one drafter per job; empty: prompt lookup (engine/prompt_lookup.h)
};

struct SchedulerOptions {
    int slots = 4;       // jobs decoded together
    int max_queue = 16;  // jobs waiting for a slot; more are refused
    int n_ctx = 4096;    // positions per slot
    DType kv_type = DType::F16;
    // For a scheduler with its own runtime (see RuntimeOptions):
    ForwardPath path = ForwardPath::Fast;
    int n_threads = 0;        // 0: one per hardware thread
    int prefill_chunk = 256;  // prompt positions evaluated per step
    bool weights_in_file_mapping = false;
    bool repack_in_background = false;
    SpeculativeOptions speculative;
};

struct SchedulerStats {
    int slots = 0;
    int active = 0;  // slots running a job
    int queued = 0;
    int64_t kv_positions_used = 0;  // positions cached in all slots
    int64_t kv_positions_total = 0;
    size_t kv_bytes = 0;
    uint64_t jobs_finished = 0;
    uint64_t prompt_tokens = 0;  // evaluated (not counting cache hits)
    uint64_t cached_tokens = 0;
    uint64_t generated_tokens = 0;
    // Of finished jobs (JobEvent's): proposals, accepted proposals, and decode passes counted per
    // job (a pass that decodes three jobs counts three).
    uint64_t draft_tokens = 0;
    uint64_t draft_accepted = 0;
    uint64_t decode_passes = 0;
};

class Scheduler {
  public:
    // Over a shared runtime, which must outlive the scheduler; only this scheduler may run passes
    // on it while it exists (one engine thread owns the model).
    Scheduler(Runtime& runtime, const SchedulerOptions& options);
    // With a runtime of its own. The config and weights must outlive the scheduler.
    Scheduler(const ModelConfig& config, const Weights& weights, const SchedulerOptions& options);
    ~Scheduler();  // cancels what is left and joins the engine thread
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    // Queues a job. Returns nullptr when the queue is full (or the scheduler is stopping).
    // Throws qe::Error when the job can never run (prompt longer than a slot's context, bad ids).
    std::shared_ptr<JobHandle> submit(JobRequest request);

    SchedulerStats stats() const;
    int n_ctx() const { return n_ctx_; }

    // Stops taking jobs, lets running and queued ones finish, then returns.
    void drain();

  private:
    struct Job;
    struct Slot;

    void engine_loop();
    void admit_waiting_jobs();
    bool prefill_step();  // one chunk of one slot; false when nothing to prefill
    void decode_step();
    // How many proposals the slot's next chunk may carry (context, max_tokens, options).
    int draft_room(const Slot& slot) const;
    // The slot's tokens from its rows of a decode pass: one per row while the proposals hold.
    void take_rows(Slot& slot, std::span<const float> rows);
    // The slot's next token from `logits`, under the job's constraint when it has one; with a
    // proposal (>= 0), by the acceptance rule of speculative decoding.
    int choose(Slot& slot, std::span<const float> logits, int proposal);
    void emit_token(Slot& slot, int token);
    void finish(Slot& slot, const std::string& reason, const std::string& error = {});

    void start();

    std::unique_ptr<Runtime> own_runtime_;
    Runtime& runtime_;  // its forward passes run on the engine thread only
    const ModelConfig& config_;
    SchedulerOptions options_;
    int n_ctx_ = 0;
    uint64_t clock_ = 0;  // engine thread: orders the slots' last use
    std::vector<std::unique_ptr<Slot>> slots_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    std::deque<std::unique_ptr<Job>> queue_;
    int in_system_ = 0;      // jobs queued or running
    bool stopping_ = false;  // no new jobs
    bool quit_ = false;      // engine thread exits
    SchedulerStats counters_;
    std::thread thread_;
};

}  // namespace qe
