#include "engine/scheduler.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "core/error.h"
#include "engine/prompt_lookup.h"
#include "model/batch.h"
#include "sampling/loop_guard.h"
#include "sampling/sampler.h"

namespace qe {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

size_t common_prefix(const std::vector<int>& a, const std::vector<int>& b) {
    const size_t n = std::min(a.size(), b.size());
    size_t i = 0;
    while (i < n && a[i] == b[i]) ++i;
    return i;
}

}  // namespace

struct Scheduler::Job {
    JobRequest request;
    std::shared_ptr<JobHandle> handle;
    Clock::time_point submitted;
};

struct Scheduler::Slot {
    explicit Slot(std::unique_ptr<SequenceState> s) : seq(std::move(s)) {}

    enum class State { Idle, Prefill, Decode };

    std::unique_ptr<SequenceState> seq;  // what the model keeps of this slot's sequence
    std::vector<int> cached;             // tokens evaluated into seq, positions 0..size-1
    uint64_t last_used = 0;              // for choosing which idle slot's cache to give up

    State state = State::Idle;
    std::unique_ptr<Job> job;
    std::optional<Sampler> sampler;
    std::vector<int> history;          // prompt + generated, for the sampler's penalties
    std::vector<int> generated;        // this job's output tokens
    std::vector<float> masked;         // the logits under the job's constraint, when it has one
    int next_token = -1;               // sampled, to be fed at the next decode step
    std::unique_ptr<Drafter> drafter;  // when speculative decoding is on
    std::vector<int> step;             // the decode step's chunk: next_token, then proposals
    int draft_tokens = 0, draft_accepted = 0, decode_passes = 0;
    int cached_at_start = 0;  // prompt tokens served from the cache
    Clock::time_point started, first_token;
};

namespace {

RuntimeOptions runtime_options(const SchedulerOptions& o) {
    RuntimeOptions r;
    r.path = o.path;
    r.n_threads = o.n_threads;
    r.max_batch = o.prefill_chunk;
    r.weights_in_file_mapping = o.weights_in_file_mapping;
    r.repack_in_background = o.repack_in_background;
    return r;
}

}  // namespace

Scheduler::Scheduler(Runtime& runtime, const SchedulerOptions& options)
    : runtime_(runtime), config_(runtime.config()), options_(options) {
    start();
}

Scheduler::Scheduler(const ModelConfig& config, const Weights& weights,
                     const SchedulerOptions& options)
    : own_runtime_(std::make_unique<Runtime>(config, weights, runtime_options(options))),
      runtime_(*own_runtime_),
      config_(config),
      options_(options) {
    start();
}

void Scheduler::start() {
    if (options_.slots < 1 || options_.max_queue < 0 || options_.prefill_chunk < 1)
        throw Error("scheduler: slots and prefill_chunk must be >= 1 and max_queue >= 0");
    const int max_draft = options_.speculative.max_draft;
    if (max_draft < 1 || max_draft > kMaxVerifyChunk - 1)
        throw Error("scheduler: speculative.max_draft must be in 1.." +
                    std::to_string(kMaxVerifyChunk - 1) + ", not " + std::to_string(max_draft));
    if (!options_.speculative.drafter) options_.speculative.drafter = prompt_lookup_drafters();
    n_ctx_ = effective_context(config_, options_.n_ctx);
    for (int i = 0; i < options_.slots; ++i)
        slots_.push_back(
            std::make_unique<Slot>(runtime_.model().new_sequence(n_ctx_, options_.kv_type)));
    counters_.slots = options_.slots;
    counters_.kv_positions_total = int64_t(n_ctx_) * options_.slots;
    for (const auto& s : slots_) counters_.kv_bytes += s->seq->bytes();
    // A new scheduler waits for its first jobs: the background repacking can use that time.
    runtime_.start_repacking();
    thread_ = std::thread([this] { engine_loop(); });
}

Scheduler::~Scheduler() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = quit_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

std::shared_ptr<JobHandle> Scheduler::submit(JobRequest request) {
    if (request.prompt.empty()) throw Error("the prompt is empty");
    if (int(request.prompt.size()) >= n_ctx_)
        throw Error("the prompt has " + std::to_string(request.prompt.size()) +
                    " tokens but the context holds " + std::to_string(n_ctx_) +
                    " (prompt and answer together)");
    check_batch(config_, n_ctx_, request.prompt, 0);
    if (request.options.max_tokens < 0)
        throw Error("max_tokens must not be negative, not " +
                    std::to_string(request.options.max_tokens));
    request.options.sampling.validate();
    for (const int id : request.options.replay)
        if (id < 0 || id >= config_.vocab_size)
            throw Error("replay: token id " + std::to_string(id) + " is outside the vocabulary (" +
                        std::to_string(config_.vocab_size) + " tokens)");

    auto job = std::make_unique<Job>();
    job->request = std::move(request);
    job->handle = std::make_shared<JobHandle>();
    job->submitted = Clock::now();
    auto handle = job->handle;
    {
        std::lock_guard lock(mutex_);
        // Room for every slot plus the queue; jobs pass through the queue even when a slot is free.
        if (stopping_ || in_system_ >= options_.slots + options_.max_queue) return nullptr;
        ++in_system_;
        queue_.push_back(std::move(job));
        counters_.queued = int(queue_.size());
    }
    wake_.notify_all();
    return handle;
}

SchedulerStats Scheduler::stats() const {
    std::lock_guard lock(mutex_);
    return counters_;
}

void Scheduler::drain() {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    idle_.wait(lock, [&] { return in_system_ == 0; });
}

void Scheduler::engine_loop() {
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return quit_ || !queue_.empty() || counters_.active > 0; });
            if (quit_) break;
        }
        admit_waiting_jobs();
        for (auto& slot : slots_)
            if (slot->state != Slot::State::Idle && slot->job->handle->cancelled())
                finish(*slot, "cancelled");
        prefill_step();
        decode_step();

        std::lock_guard lock(mutex_);
        int64_t used = 0;
        for (const auto& s : slots_) used += int64_t(s->cached.size());
        counters_.kv_positions_used = used;
        counters_.queued = int(queue_.size());
    }

    // Shutting down: everything still running or waiting ends as cancelled.
    for (auto& slot : slots_)
        if (slot->state != Slot::State::Idle) finish(*slot, "cancelled");
    std::deque<std::unique_ptr<Job>> left;
    {
        std::lock_guard lock(mutex_);
        left.swap(queue_);
    }
    for (auto& job : left) {
        {
            std::lock_guard lock(mutex_);
            --in_system_;
        }
        JobEvent ev;
        ev.done = true;
        ev.finish_reason = "cancelled";
        ev.prompt_tokens = int(job->request.prompt.size());
        job->request.on_event(ev);
    }
    std::lock_guard lock(mutex_);
    counters_.active = 0;
    counters_.queued = 0;
    idle_.notify_all();
}

void Scheduler::admit_waiting_jobs() {
    for (;;) {
        // The idle slot whose cache shares the longest prefix with the next prompt; among equals,
        // the one used longest ago, so recently used caches survive.
        Slot* best = nullptr;
        size_t best_prefix = 0;
        std::unique_ptr<Job> job;
        {
            std::lock_guard lock(mutex_);
            if (queue_.empty()) return;
            const auto& prompt = queue_.front()->request.prompt;
            for (auto& s : slots_) {
                if (s->state != Slot::State::Idle) continue;
                const size_t prefix = common_prefix(s->cached, prompt);
                if (!best || prefix > best_prefix ||
                    (prefix == best_prefix && s->last_used < best->last_used)) {
                    best = s.get();
                    best_prefix = prefix;
                }
            }
            if (!best) return;
            job = std::move(queue_.front());
            queue_.pop_front();
            ++counters_.active;  // counted as it leaves the queue, so stats never miss it
        }
        Slot& slot = *best;
        const auto& prompt = job->request.prompt;
        // The last prompt token is always evaluated: its logits give the first answer token.
        const size_t keep =
            size_t(slot.seq->reusable_prefix(int(std::min(best_prefix, prompt.size() - 1))));
        slot.seq->rewind(int(keep));
        slot.cached.resize(keep);
        slot.cached_at_start = int(keep);
        slot.history = prompt;
        slot.generated.clear();
        slot.sampler.emplace(job->request.options.sampling);
        slot.sampler->ban(job->request.options.banned_ids);
        slot.drafter = options_.speculative.enabled ? options_.speculative.drafter() : nullptr;
        slot.draft_tokens = slot.draft_accepted = slot.decode_passes = 0;
        slot.started = Clock::now();
        slot.last_used = ++clock_;
        slot.job = std::move(job);
        slot.state = Slot::State::Prefill;
        if (slot.job->handle->cancelled()) finish(slot, "cancelled");
    }
}

bool Scheduler::prefill_step() {
    for (auto& s : slots_) {
        if (s->state != Slot::State::Prefill) continue;
        Slot& slot = *s;
        const auto& prompt = slot.job->request.prompt;
        const size_t from = slot.cached.size();
        size_t n = std::min(prompt.size() - from, size_t(options_.prefill_chunk));
        // A chunk ends at the point the job asks to keep, and one is kept at the prompt's end
        // (a KV cache resumes anywhere: its prompt is not cut there).
        const size_t keep_at =
            slot.seq->resumes_at_kept_points() ? size_t(std::max(0, slot.job->request.keep_at)) : 0;
        if (from < keep_at && from + n > keep_at) n = keep_at - from;
        const bool keep = from + n == keep_at || from + n == prompt.size();
        try {
            const std::span<const int> ids(prompt.data() + from, n);
            const SequenceChunk chunk{slot.seq.get(), ids, int(from), false, keep};
            const auto logits = runtime_.model().forward({&chunk, 1});
            slot.cached.insert(slot.cached.end(), ids.begin(), ids.end());
            {
                std::lock_guard lock(mutex_);
                counters_.prompt_tokens += n;
            }
            if (slot.cached.size() == prompt.size()) {
                slot.first_token = Clock::now();
                if (slot.job->request.options.max_tokens == 0) {
                    finish(slot, "length");
                } else {
                    if (slot.job->request.on_logits) slot.job->request.on_logits(logits);
                    emit_token(slot, choose(slot, logits, -1));
                }
            }
        } catch (const std::exception& e) {
            slot.cached.clear();  // the state may hold a partial write
            slot.seq->rewind(0);
            finish(slot, "error", e.what());
        }
        return true;
    }
    return false;
}

void Scheduler::decode_step() {
    // Every decoding slot's chunk, all in one forward pass: the weights are read once. A chunk is
    // the token sampled last, then the slot's proposals (a verification chunk, all rows wanted).
    std::vector<Slot*> decoding;
    std::vector<SequenceChunk> steps;
    for (auto& s : slots_) {
        if (s->state != Slot::State::Decode) continue;
        Slot& slot = *s;
        slot.step.assign(1, slot.next_token);
        if (const int room = draft_room(slot); room > 0) {
            try {
                const auto proposals = slot.drafter->propose(slot.history, room);
                for (const int id : proposals) {
                    // A drafter's id the model cannot take would fail the whole pass.
                    if (int(slot.step.size()) > room || id < 0 || id >= config_.vocab_size) break;
                    slot.step.push_back(id);
                }
            } catch (const std::exception& e) {
                finish(slot, "error", std::string("drafting: ") + e.what());
                continue;
            }
        }
        decoding.push_back(&slot);
        const bool verify = slot.step.size() > 1;
        steps.push_back(
            {slot.seq.get(), slot.step, int(slot.cached.size()), verify, false, verify});
    }
    if (steps.empty()) return;
    std::span<const float> logits;
    try {
        logits = runtime_.model().forward(steps);
    } catch (const std::exception& e) {
        for (Slot* slot : decoding) {
            slot->cached.clear();  // the states may hold partial writes
            slot->seq->rewind(0);
            finish(*slot, "error", e.what());
        }
        return;
    }
    const size_t vocab = size_t(config_.vocab_size);
    size_t row = 0;
    for (Slot* slot : decoding) {
        const size_t rows = slot->step.size();
        take_rows(*slot, logits.subspan(row * vocab, rows * vocab));
        row += rows;
    }
}

int Scheduler::draft_room(const Slot& slot) const {
    if (!slot.drafter) return 0;
    const GenerateOptions& o = slot.job->request.options;
    // The chunk's positions stay inside the context, and its rows emit at most the tokens the
    // answer may still have: the job ends at the same token as without proposals.
    int room = std::min(options_.speculative.max_draft, n_ctx_ - int(slot.cached.size()) - 1);
    room = std::min(room, o.max_tokens - int(slot.generated.size()) - 1);
    if (!o.replay.empty()) room = std::min(room, int(o.replay.size() - slot.generated.size()) - 1);
    return std::max(room, 0);
}

void Scheduler::take_rows(Slot& slot, std::span<const float> rows) {
    const size_t vocab = size_t(config_.vocab_size);
    const int proposed = int(slot.step.size()) - 1;
    const int end = int(slot.cached.size()) + int(slot.step.size());  // the state's positions
    int accepted = 0;
    ++slot.decode_passes;
    slot.draft_tokens += proposed;
    try {
        // Row i holds the logits after step[i]: the token chosen from it is kept as the answer's
        // next one, and the next row counts only while it equals the proposal step[i + 1]. The
        // constraint accepts each emitted token in turn, so each row is masked as plain decoding
        // would mask it.
        for (size_t i = 0; i < slot.step.size(); ++i) {
            slot.cached.push_back(slot.step[i]);
            const auto logits = rows.subspan(i * vocab, vocab);
            if (slot.job->request.on_logits) slot.job->request.on_logits(logits);
            const int proposal = i + 1 < slot.step.size() ? slot.step[i + 1] : -1;
            const int token = choose(slot, logits, proposal);
            const bool agrees = proposal >= 0 && token == proposal;
            if (agrees) ++slot.draft_accepted, ++accepted;
            emit_token(slot, token);
            if (!agrees || slot.state != Slot::State::Decode) break;
        }
    } catch (const std::exception& e) {
        if (slot.state != Slot::State::Idle) finish(slot, "error", e.what());
    }
    if (slot.drafter) slot.drafter->feedback(proposed, accepted);
    // The proposals after the first rejected one were evaluated into the state: take them back.
    if (int(slot.cached.size()) < end) {
        try {
            slot.seq->rewind(int(slot.cached.size()));
        } catch (const std::exception& e) {
            slot.cached.clear();
            slot.seq->rewind(0);
            if (slot.state != Slot::State::Idle)
                finish(slot, "error", std::string("speculative decoding: ") + e.what());
        }
    }
}

int Scheduler::choose(Slot& slot, std::span<const float> logits, int proposal) {
    const auto& replay = slot.job->request.options.replay;
    TokenConstraint* constraint = slot.job->request.constraint.get();
    int token = -1;
    if (!replay.empty()) {
        token = replay[slot.generated.size()];  // emit_token ends the job before it runs out
    } else {
        if (constraint) {
            slot.masked.assign(logits.begin(), logits.end());
            constraint->mask(slot.masked);
            logits = slot.masked;
        }
        token = proposal >= 0 ? slot.sampler->verify(logits, slot.history, proposal)
                              : slot.sampler->sample(logits, slot.history);
    }
    if (constraint && !constraint->accept(token)) {
        throw Error("constrained decoding: token " + std::to_string(token) +
                    " was sampled but the constraint refuses it");
    }
    return token;
}

void Scheduler::emit_token(Slot& slot, int token) {
    const GenerateOptions& o = slot.job->request.options;
    if (std::find(o.stop_ids.begin(), o.stop_ids.end(), token) != o.stop_ids.end()) {
        finish(slot, "stop");
        return;
    }
    slot.generated.push_back(token);
    slot.history.push_back(token);
    {
        std::lock_guard lock(mutex_);
        ++counters_.generated_tokens;
    }
    JobEvent ev;
    ev.token = token;
    const JobReply reply = slot.job->request.on_event(ev);
    if (reply.kind == JobReply::kStop) {
        finish(slot, "stop");
    } else if (reply.kind == JobReply::kCancel || slot.job->handle->cancelled()) {
        finish(slot, "cancelled");
    } else if (ends_in_loop(slot.generated, o.loop_guard)) {
        finish(slot, "repetition");
    } else if (int(slot.generated.size()) >= o.max_tokens ||
               (!o.replay.empty() && slot.generated.size() >= o.replay.size())) {
        finish(slot, "length");
    } else if (int(slot.cached.size()) >= n_ctx_) {
        finish(slot, "context");
    } else {
        slot.next_token = token;
        slot.state = Slot::State::Decode;
    }
}

void Scheduler::finish(Slot& slot, const std::string& reason, const std::string& error) {
    const auto now = Clock::now();
    JobEvent ev;
    ev.done = true;
    ev.finish_reason = reason;
    ev.error = error;
    ev.prompt_tokens = int(slot.job->request.prompt.size());
    ev.cached_tokens = slot.cached_at_start;
    ev.completion_tokens = int(slot.generated.size());
    ev.draft_tokens = slot.draft_tokens;
    ev.draft_accepted = slot.draft_accepted;
    ev.decode_passes = slot.decode_passes;
    ev.queue_ms = ms_between(slot.job->submitted, slot.started);
    if (slot.first_token != Clock::time_point{}) {
        ev.prefill_ms = ms_between(slot.started, slot.first_token);
        ev.decode_ms = ms_between(slot.first_token, now);
    }
    if (!slot.generated.empty()) {
        ev.ttft_ms = ms_between(slot.job->submitted, slot.first_token);
        const double decode_s = ms_between(slot.first_token, now) / 1000.0;
        if (slot.generated.size() > 1 && decode_s > 0)
            ev.decode_tokens_per_second = double(slot.generated.size() - 1) / decode_s;
    }
    // The job leaves the system before it is told: a caller that submits its next job as soon as
    // this one is done (the next turn of a chat) must find the room free.
    {
        std::lock_guard lock(mutex_);
        --in_system_;
        --counters_.active;
        ++counters_.jobs_finished;
        counters_.cached_tokens += uint64_t(slot.cached_at_start);
        counters_.draft_tokens += uint64_t(slot.draft_tokens);
        counters_.draft_accepted += uint64_t(slot.draft_accepted);
        counters_.decode_passes += uint64_t(slot.decode_passes);
        if (in_system_ == 0) idle_.notify_all();
    }
    slot.job->request.on_event(ev);
    slot.job.reset();
    slot.sampler.reset();
    slot.drafter.reset();
    slot.first_token = {};
    slot.state = Slot::State::Idle;
}

}  // namespace qe
