#include "model/kv_cache.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include "core/error.h"
#include "kernels/kernels.h"

namespace qe {

KVCache::KVCache(const ModelConfig& config, int n_ctx, DType type)
    : n_layers_(config.n_layers),
      n_kv_heads_(config.n_kv_heads),
      head_dim_(config.head_dim),
      n_ctx_(n_ctx),
      type_(type) {
    if (type != DType::F16 && type != DType::F32)
        throw Error("KV cache type must be f16 or f32, not " + std::string(dtype_name(type)));
    if (n_ctx < 1) throw Error("KV cache context must be at least 1, not " + std::to_string(n_ctx));
    elem_bytes_ = type == DType::F16 ? 2 : 4;
    const size_t per_layer = size_t(n_kv_heads_) * size_t(n_ctx_) * size_t(head_dim_) * elem_bytes_;
    bytes_ = 2 * size_t(n_layers_) * per_layer;
    data_.reset(static_cast<uint8_t*>(std::calloc(bytes_, 1)));
    if (!data_) throw Error("cannot allocate a KV cache of " + std::to_string(bytes_) + " bytes");
}

size_t KVCache::offset(int kv, int layer, int kv_head) const {
    const size_t head_block = size_t(n_ctx_) * size_t(head_dim_) * elem_bytes_;
    return ((size_t(kv) * n_layers_ + size_t(layer)) * n_kv_heads_ + size_t(kv_head)) * head_block;
}

void KVCache::store_row(size_t at, const float* src) {
    if (type_ == DType::F32) {
        std::memcpy(data_.get() + at, src, size_t(head_dim_) * sizeof(float));
        return;
    }
    kernels().f32_to_f16(src, reinterpret_cast<uint16_t*>(data_.get() + at), head_dim_);
}

void KVCache::load_row(size_t at, float* dst) const {
    if (type_ == DType::F32) {
        std::memcpy(dst, data_.get() + at, size_t(head_dim_) * sizeof(float));
        return;
    }
    kernels().f16_to_f32(reinterpret_cast<const uint16_t*>(data_.get() + at), dst, head_dim_);
}

void KVCache::store(int layer, int pos, int n, const float* k, const float* v) {
    const size_t kv_dim = size_t(n_kv_heads_) * size_t(head_dim_);
    const size_t row_bytes = size_t(head_dim_) * elem_bytes_;
    for (int t = 0; t < n; ++t) {
        for (int h = 0; h < n_kv_heads_; ++h) {
            const size_t at = size_t(pos + t) * row_bytes;
            store_row(offset(0, layer, h) + at, k + t * kv_dim + size_t(h) * head_dim_);
            store_row(offset(1, layer, h) + at, v + t * kv_dim + size_t(h) * head_dim_);
        }
    }
}

void KVCache::copy_prefix(const SequenceState& source, int n) {
    const auto* from = dynamic_cast<const KVCache*>(&source);
    if (!from) throw Error("cannot copy positions into a KV cache from another kind of state");
    if (from->n_layers_ != n_layers_ || from->n_kv_heads_ != n_kv_heads_ ||
        from->head_dim_ != head_dim_ || from->type_ != type_)
        throw Error("cannot copy positions between KV caches of different layouts");
    if (n < 0 || n > n_ctx_ || n > from->n_ctx_)
        throw Error("cannot copy " + std::to_string(n) + " positions between KV caches of " +
                    std::to_string(from->n_ctx_) + " and " + std::to_string(n_ctx_));
    // Each head's positions are one block, so a prefix is one copy per layer, head, key/value.
    const size_t bytes = size_t(n) * size_t(head_dim_) * elem_bytes_;
    for (int kv = 0; kv < 2; ++kv)
        for (int layer = 0; layer < n_layers_; ++layer)
            for (int h = 0; h < n_kv_heads_; ++h)
                std::memcpy(data_.get() + offset(kv, layer, h),
                            from->data_.get() + from->offset(kv, layer, h), bytes);
}

void KVCache::load_k(int layer, int kv_head, int pos, float* dst) const {
    load_row(offset(0, layer, kv_head) + size_t(pos) * size_t(head_dim_) * elem_bytes_, dst);
}

void KVCache::load_v(int layer, int kv_head, int pos, float* dst) const {
    load_row(offset(1, layer, kv_head) + size_t(pos) * size_t(head_dim_) * elem_bytes_, dst);
}

}  // namespace qe
