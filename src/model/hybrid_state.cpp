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
      now_(size_t(c.n_delta_net_layers()) * layer_floats_, 0.0f) {}

size_t HybridState::recurrent_bytes(const ModelConfig& c) {
    const size_t conv = size_t(c.ssm_conv_kernel - 1) * size_t(c.ssm_conv_dim());
    const size_t delta = size_t(c.ssm_v_heads) * size_t(c.ssm_head_dim) * size_t(c.ssm_head_dim);
    return size_t(c.n_delta_net_layers()) * (conv + delta) * sizeof(float);
}

size_t HybridState::bytes() const {
    return kv_.bytes() + (1 + checkpoints_.size()) * now_.size() * sizeof(float);
}

int HybridState::reusable_prefix(int n) const {
    if (n >= pos_) return pos_;
    int best = 0;
    for (const Checkpoint& c : checkpoints_)
        if (c.pos <= n) best = c.pos;
    return best;
}

void HybridState::rewind(int n) {
    // Back to the start always clears: a pass that failed half-way may have written the state.
    if (n == pos_ && n != 0) return;
    // Checkpoints past n describe positions about to be overwritten.
    while (!checkpoints_.empty() && checkpoints_.back().pos > n) checkpoints_.pop_back();
    if (n == 0) {
        std::fill(now_.begin(), now_.end(), 0.0f);
    } else if (!checkpoints_.empty() && checkpoints_.back().pos == n) {
        now_ = checkpoints_.back().values;
    } else {
        throw Error("the recurrent state cannot go back to position " + std::to_string(n) +
                    " (no checkpoint there)");
    }
    pos_ = n;
}

void HybridState::check_start(int start_pos) const {
    if (start_pos != pos_)
        throw Error("a recurrent state holds " + std::to_string(pos_) +
                    " positions: the next pass must start there, not at " +
                    std::to_string(start_pos));
}

void HybridState::advance(int n_new, bool keep) {
    pos_ += n_new;
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
    if (n == from->pos_) {
        now_ = from->now_;
    } else if (n == 0) {
        std::fill(now_.begin(), now_.end(), 0.0f);
    } else {
        for (const Checkpoint& c : from->checkpoints_)
            if (c.pos == n) now_ = c.values;
    }
    pos_ = n;
    checkpoints_.clear();
}

}  // namespace qe
