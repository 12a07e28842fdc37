#include "engine/draft_model.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <vector>

#include "core/error.h"
#include "sampling/logprobs.h"
#include "tokenizer/vocab_difference.h"

namespace qe {
namespace {

// One more row in the target's verification pass, in units of a one-token pass: the slope of the
// verification curve from 2 to 4 rows on the full-size Qwen2.5-1.5B shape, q8_0, 2 threads
// (qe-draft-bench, docs/PERFORMANCE.md).
constexpr float kVerifyRowCost = 0.1f;

// A finished job's state, kept for the next: the ids evaluated into it.
struct SavedState {
    std::unique_ptr<SequenceState> state;
    std::vector<int> evaluated;
};

size_t common_prefix(std::span<const int> a, std::span<const int> b) {
    const size_t n = std::min(a.size(), b.size());
    size_t i = 0;
    while (i < n && a[i] == b[i]) ++i;
    return i;
}

}  // namespace

float draft_threshold(uint64_t draft_weight_bytes, uint64_t target_weight_bytes) {
    if (target_weight_bytes == 0) return 1;
    const float ratio = float(double(draft_weight_bytes) / double(target_weight_bytes));
    return std::clamp(ratio + kVerifyRowCost, 0.0f, 1.0f);
}

struct DraftModel::Shared {
    std::shared_ptr<const LoadedModel> model;
    std::unique_ptr<Runtime> runtime;
    int n_ctx = 0;
    DType kv_type = DType::F16;
    int draft_rows = 0;   // ids the draft model has
    int target_rows = 0;  // ids a proposal may take
    float min_chain = 0;
    size_t state_bytes = 0;
    std::atomic<uint64_t> passes{0}, proposed{0};

    std::mutex mutex;               // the saved states (drafters may be made on other threads)
    std::vector<SavedState> saved;  // at most as many as drafters lived at once

    std::span<const float> forward(SequenceState& state, std::span<const int> ids, int start,
                                   bool keep) {
        const SequenceChunk chunk{&state, ids, start, false, keep};
        const auto logits = runtime->model().forward({&chunk, 1});
        // After the first pass, so the repacking doesn't delay the first answer.
        runtime->start_repacking();
        passes.fetch_add(1, std::memory_order_relaxed);
        return logits;
    }

    // The saved state that shares the longest prefix with `sequence`, or a fresh one.
    SavedState take(std::span<const int> sequence) {
        std::lock_guard lock(mutex);
        size_t best = saved.size(), best_len = 0;
        for (size_t i = 0; i < saved.size(); ++i) {
            const size_t len = common_prefix(saved[i].evaluated, sequence);
            if (best == saved.size() || len > best_len) best = i, best_len = len;
        }
        if (best < saved.size()) {
            SavedState s = std::move(saved[best]);
            saved.erase(saved.begin() + std::ptrdiff_t(best));
            return s;
        }
        return {runtime->model().new_sequence(n_ctx, kv_type), {}};
    }

    void give_back(SavedState s) {
        std::lock_guard lock(mutex);
        saved.push_back(std::move(s));
    }
};

namespace {

class DraftModelDrafter final : public Drafter {
  public:
    explicit DraftModelDrafter(std::shared_ptr<DraftModel::Shared> shared)
        : shared_(std::move(shared)) {}
    ~DraftModelDrafter() override {
        if (own_.state) shared_->give_back(std::move(own_));
    }

    std::vector<int> propose(std::span<const int> sequence, int max) override {
        DraftModel::Shared& s = *shared_;
        const int n = int(sequence.size());
        // The last proposal is not evaluated: n + max - 1 positions.
        max = std::min(max, s.n_ctx - n + 1);
        if (max <= 0 || n == 0) return {};
        if (!own_.state) own_ = s.take(sequence);
        SequenceState& state = *own_.state;
        std::vector<int>& evaluated = own_.evaluated;

        // Continue from what the state shares with the sequence, keeping at least the last id to
        // feed (its logits give the first proposal).
        const int shared = int(std::min(common_prefix(evaluated, sequence), size_t(n - 1)));
        const int start = state.reusable_prefix(shared);
        const auto fresh = sequence.subspan(size_t(start));
        // An id the draft lacks (a target's extra row): no proposal until it is out of reach.
        for (const int id : fresh)
            if (id < 0 || id >= s.draft_rows) return {};
        state.rewind(start);
        evaluated.resize(size_t(start));
        // Kept: a recurrent state can come back here when the proposals are rejected.
        auto logits = s.forward(state, fresh, start, true);
        evaluated.insert(evaluated.end(), fresh.begin(), fresh.end());

        std::vector<int> proposals;
        double chain = 1;
        while (true) {
            const PositionLogprobs top = position_logprobs(logits, 1);
            const TokenLogprob best = top.top.at(0);
            chain *= std::exp(double(best.logprob));
            if (chain < double(s.min_chain) || best.id >= s.target_rows) break;
            proposals.push_back(best.id);
            if (int(proposals.size()) == max) break;
            logits = s.forward(state, {&proposals.back(), 1}, int(evaluated.size()), false);
            evaluated.push_back(best.id);
        }
        s.proposed.fetch_add(proposals.size(), std::memory_order_relaxed);
        // The state stays past the sequence's end: the next call rewinds to what the target
        // accepted, and the accepted proposals need no second pass.
        return proposals;
    }

  private:
    std::shared_ptr<DraftModel::Shared> shared_;
    SavedState own_;  // taken at the first proposal, when the sequence to match is known
};

}  // namespace

DraftModel::DraftModel(std::shared_ptr<const LoadedModel> draft, const LoadedModel& target,
                       const DraftOptions& options)
    : shared_(std::make_shared<Shared>()) {
    const std::string draft_name = draft->id(), target_name = target.id();
    if (!draft->has_tokenizer())
        throw Error("draft model " + draft_name + ": " + draft->tokenizer_error());
    if (!target.has_tokenizer())
        throw Error("model " + target_name + ": " + target.tokenizer_error());
    const std::string difference =
        vocab_difference(draft->tokenizer().vocab(), target.tokenizer().vocab(),
                         "the draft model " + draft_name, "the model " + target_name);
    if (!difference.empty())
        throw Error("draft model " + draft_name + " does not share the tokenizer of " +
                    target_name + ": " + difference);

    Shared& s = *shared_;
    RuntimeOptions r;
    r.path = options.path;
    r.n_threads = options.n_threads;
    r.weights_in_file_mapping = draft->weights_in_file_mapping();
    r.repack_in_background = options.repack_in_background;
    s.runtime = std::make_unique<Runtime>(draft->config(), draft->weights(), r);
    s.n_ctx = effective_context(draft->config(), options.n_ctx);
    s.kv_type = options.kv_type;
    s.draft_rows = draft->config().vocab_size;
    s.target_rows = target.config().vocab_size;
    s.min_chain = options.min_chain_probability >= 0
                      ? options.min_chain_probability
                      : draft_threshold(draft->file().weight_bytes(), target.file().weight_bytes());
    // One state made now: its size is known before the first job, and the first job finds it.
    SavedState first{s.runtime->model().new_sequence(s.n_ctx, s.kv_type), {}};
    s.state_bytes = first.state->bytes();
    s.saved.push_back(std::move(first));
    s.model = std::move(draft);
}

DraftModel::~DraftModel() = default;

DrafterFactory DraftModel::factory() const {
    return [shared = shared_]() -> std::unique_ptr<Drafter> {
        return std::make_unique<DraftModelDrafter>(shared);
    };
}

const LoadedModel& DraftModel::model() const {
    return *shared_->model;
}
float DraftModel::min_chain_probability() const {
    return shared_->min_chain;
}
uint64_t DraftModel::weight_bytes() const {
    return shared_->model->file().weight_bytes();
}
size_t DraftModel::state_bytes() const {
    return shared_->state_bytes;
}

DraftStats DraftModel::stats() const {
    return {shared_->passes.load(std::memory_order_relaxed),
            shared_->proposed.load(std::memory_order_relaxed)};
}

std::string DraftModel::describe() const {
    const Shared& s = *shared_;
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  ", %s, state %.1f MiB per job, drafting while the chain's probability is at "
                  "least %.2f",
                  s.runtime->describe().c_str(), double(s.state_bytes) / (1 << 20),
                  double(s.min_chain));
    return "draft " + s.model->id() + " (" + s.model->describe() + ")" + buf;
}

}  // namespace qe
