#include "model/hybrid_state.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace qe {

ModelConfig attention_layers_only(const ModelConfig& config) {
    ModelConfig c = config;
    c.n_layers = config.n_layers - config.n_delta_net_layers();
    c.full_attention_interval = 0;
    return c;
}

HybridState::HybridState(const ModelConfig& c, int n_ctx, DType kv_type)
    : kv_(attention_layers_only(c), n_ctx, kv_type),
      conv_floats_(size_t(c.ssm_conv_kernel - 1) * size_t(c.ssm_conv_dim())),
      head_floats_(size_t(c.ssm_head_dim) * size_t(c.ssm_head_dim)),
      layer_floats_(conv_floats_ + size_t(c.ssm_v_heads) * head_floats_),
      record_floats_(size_t(kMaxVerifyChunk) * size_t(record_width(c))),
      now_(size_t(c.n_delta_net_layers()) * layer_floats_, 0.0f),
      snapshot_(now_.size(), 0.0f),
      record_(size_t(c.n_delta_net_layers()) * record_floats_, 0.0f),
      layer_due_(size_t(c.n_delta_net_layers()), 0),
      recorded_(size_t(c.n_delta_net_layers()), 0) {}

int HybridState::record_width(const ModelConfig& c) {
    return c.ssm_conv_dim() + 2 * c.ssm_v_heads;
}

size_t HybridState::recurrent_bytes(const ModelConfig& c) {
    const size_t conv = size_t(c.ssm_conv_kernel - 1) * size_t(c.ssm_conv_dim());
    const size_t delta = size_t(c.ssm_v_heads) * size_t(c.ssm_head_dim) * size_t(c.ssm_head_dim);
    const size_t record = size_t(kMaxVerifyChunk) * size_t(record_width(c));
    return size_t(c.n_delta_net_layers()) * (2 * (conv + delta) + record) * sizeof(float);
}

size_t HybridState::bytes() const {
    return kv_.bytes() + ((2 + checkpoints_.size()) * now_.size() + record_.size()) * sizeof(float);
}

int HybridState::reusable_prefix(int n) const {
    if (in_window(n)) return n;
    if (window_start_ >= 0 && n > pos_end_) return pos_end_;
    if (n >= pos_) return pos_;
    int best = 0;
    for (const Checkpoint& c : checkpoints_)
        if (c.pos <= n) best = c.pos;
    return best;
}

void HybridState::rewind(int n) {
    // Into the last verification chunk: the next pass replays its first positions (the end:
    // continue from the values the chunk left).
    if (n != 0 && in_window(n)) {
        replay_ = n == pos_end_ ? -1 : n - window_start_;
        pos_ = n;
        return;
    }
    // Back to the start always clears: a pass that failed half-way may have written the state.
    if (n == pos_ && n != 0) return;
    // Checkpoints past n describe positions about to be overwritten.
    while (!checkpoints_.empty() && checkpoints_.back().pos > n) checkpoints_.pop_back();
    if (n == 0) {
        std::fill(now_.begin(), now_.end(), 0.0f);
    } else if (!checkpoints_.empty() && checkpoints_.back().pos == n) {
        now_ = checkpoints_.back().values;
    } else {
        std::string window;
        if (window_start_ >= 0)
            window = ", and it is outside the last verification chunk, positions " +
                     std::to_string(window_start_) + ".." + std::to_string(pos_end_);
        throw Error("the recurrent state cannot go back to position " + std::to_string(n) +
                    " (no checkpoint there" + window + ")");
    }
    pos_ = n;
    window_start_ = -1;
    replay_ = -1;
}

void HybridState::check_start(int start_pos) const {
    if (start_pos != pos_)
        throw Error("a recurrent state holds " + std::to_string(pos_) +
                    " positions: the next pass must start there, not at " +
                    std::to_string(start_pos));
}

void HybridState::begin_pass(int, bool verify) {
    verifying_ = verify;
    std::fill(layer_due_.begin(), layer_due_.end(), uint8_t(replay_ >= 0 || verify));
    std::fill(recorded_.begin(), recorded_.end(), 0);
}

void HybridState::prepare_layer(int d, const Replay& replay, ThreadPool* pool) {
    if (!layer_due_[size_t(d)]) return;
    layer_due_[size_t(d)] = 0;
    float* now = &now_[size_t(d) * layer_floats_];
    float* snapshot = &snapshot_[size_t(d) * layer_floats_];
    // A memory-bound copy of the layer (1.1 MiB for Qwen3.5-0.8B): one part per thread.
    auto copy = [&](const float* from, float* to) {
        if (!pool) {
            std::copy_n(from, layer_floats_, to);
            return;
        }
        pool->run([&](int thread, int threads) {
            const size_t begin = layer_floats_ * size_t(thread) / size_t(threads);
            const size_t end = layer_floats_ * size_t(thread + 1) / size_t(threads);
            std::copy(from + begin, from + end, to + begin);
        });
    };
    if (replay_ >= 0) {
        // The snapshot becomes the rewound point: the start of a new verification chunk too.
        if (replay_ > 0)
            replay(snapshot, snapshot + conv_floats_, &record_[size_t(d) * record_floats_],
                   replay_);
        copy(snapshot, now);
    } else {
        copy(now, snapshot);
    }
}

float* HybridState::record_rows(int d, int n) {
    if (!verifying_) return nullptr;
    const size_t width = record_floats_ / kMaxVerifyChunk;
    float* rows = &record_[size_t(d) * record_floats_ + size_t(recorded_[size_t(d)]) * width];
    recorded_[size_t(d)] += n;
    if (recorded_[size_t(d)] > kMaxVerifyChunk)
        throw Error("a verification chunk records at most " + std::to_string(kMaxVerifyChunk) +
                    " positions");
    return rows;
}

void HybridState::advance(int n_new, bool keep) {
    window_start_ = verifying_ ? pos_ : -1;
    pos_ += n_new;
    pos_end_ = pos_;
    verifying_ = false;
    replay_ = -1;
    if (!keep || (!checkpoints_.empty() && checkpoints_.back().pos == pos_)) return;
    if (checkpoints_.size() == kMaxCheckpoints) checkpoints_.pop_front();
    checkpoints_.push_back({pos_, now_});
}

void HybridState::copy_prefix(const SequenceState& source, int n) {
    const auto* from = dynamic_cast<const HybridState*>(&source);
    if (!from) throw Error("cannot copy positions into a hybrid state from another kind of state");
    if (from->now_.size() != now_.size())
        throw Error("cannot copy positions between hybrid states of different layouts");
    if (from->reusable_prefix(n) != n)
        throw Error("the source state cannot give its first " + std::to_string(n) +
                    " positions (no checkpoint there)");
    kv_.copy_prefix(from->kv_, n);
    // What the source would replay to continue at n, this state replays at its next pass.
    int replay = -1;
    if (n == 0) {
        std::fill(now_.begin(), now_.end(), 0.0f);
    } else if (from->in_window(n)) {
        if (n == from->pos_end_)
            now_ = from->now_;
        else
            replay = n - from->window_start_;
    } else if (n == from->pos_) {
        now_ = from->now_;
        replay = from->replay_;
    } else {
        for (const Checkpoint& c : from->checkpoints_)
            if (c.pos == n) now_ = c.values;
    }
    if (replay >= 0) {
        snapshot_ = from->snapshot_;
        record_ = from->record_;
    }
    replay_ = replay;
    pos_ = n;
    checkpoints_.clear();
    window_start_ = -1;
}

}  // namespace qe
