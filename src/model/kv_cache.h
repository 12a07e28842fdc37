// The key/value cache of every layer for one sequence, F16 (default) or F32.
//
// Layout per layer and per KV head: positions are rows of head_dim values,
//   k[layer][kv_head][pos][head_dim], v likewise,
// so attention for one head reads one contiguous [n_ctx, head_dim] block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "core/dtype.h"
#include "model/config.h"
#include "model/forward_model.h"

namespace qe {

// A sequence state of attention-only models: any prefix of it can be reused.
class KVCache final : public SequenceState {
  public:
    // Allocates n_ctx positions for every layer. type is DType::F16 or DType::F32; anything else,
    // or n_ctx < 1, throws qe::Error.
    KVCache(const ModelConfig& config, int n_ctx, DType type = DType::F16);

    int n_ctx() const override { return n_ctx_; }
    DType type() const { return type_; }
    size_t bytes() const override { return bytes_; }
    // Positions past the one the next pass writes are simply overwritten later.
    int reusable_prefix(int n) const override { return n; }
    void rewind(int) override {}
    void copy_prefix(const SequenceState& source, int n) override;

    // Stores rows k, v ([n, n_kv_heads * head_dim] each) at positions pos .. pos + n - 1.
    void store(int layer, int pos, int n, const float* k, const float* v);

    // One head's rows as raw cache elements: [n_ctx, head_dim] of type().
    const void* k_rows(int layer, int kv_head) const {
        return data_.get() + offset(0, layer, kv_head);
    }
    const void* v_rows(int layer, int kv_head) const {
        return data_.get() + offset(1, layer, kv_head);
    }

    // One position of one head converted to float: dst[head_dim].
    void load_k(int layer, int kv_head, int pos, float* dst) const;
    void load_v(int layer, int kv_head, int pos, float* dst) const;

  private:
    size_t offset(int kv, int layer, int kv_head) const;  // kv: 0 = keys, 1 = values
    void store_row(size_t at, const float* src);
    void load_row(size_t at, float* dst) const;

    int n_layers_, n_kv_heads_, head_dim_, n_ctx_;
    DType type_;
    size_t elem_bytes_;
    // Zeroed by calloc: a large one maps fresh zero pages, which take memory (and time) only as
    // positions are stored, not all at once at creation.
    struct Free {
        void operator()(uint8_t* p) const { std::free(p); }
    };
    std::unique_ptr<uint8_t[], Free> data_;
    size_t bytes_ = 0;
};

}  // namespace qe
