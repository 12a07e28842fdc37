#include "model/hf_qwen35.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "model/model_file.h"
#include "quant/quant.h"

namespace qe {
namespace {

bool is_float_type(DType t) {
    return t == DType::F32 || t == DType::F16 || t == DType::BF16;
}

// The values of a 1-D or 2-D float tensor as float32.
std::vector<float> decoded(const TensorView& t, const std::string& where) {
    if (!is_float_type(t.dtype))
        throw Error(where + ": tensor '" + t.name + "' has type " +
                    std::string(dtype_name(t.dtype)) + ", expected F32, F16 or BF16");
    std::vector<float> out(size_t(t.elements()));
    dequantize_row(t.dtype, t.data, out.data(), t.elements());
    return out;
}

// Points `t` at float32 `values` kept in `owned`.
void own_f32(TensorView& t, const std::vector<float>& values, OwnedTensorData& owned) {
    auto& words = owned.emplace_back((values.size() * sizeof(float) + 7) / 8);
    std::memcpy(words.data(), values.data(), values.size() * sizeof(float));
    t.dtype = DType::F32;
    t.data = words.data();
    t.nbytes = values.size() * sizeof(float);
}

// Points `t` at a copy of its bytes (to be reordered) kept in `owned`.
uint8_t* own_copy(TensorView& t, OwnedTensorData& owned) {
    auto& words = owned.emplace_back((t.nbytes + 7) / 8);
    std::memcpy(words.data(), t.data, t.nbytes);
    t.data = words.data();
    return reinterpret_cast<uint8_t*>(words.data());
}

bool is_norm(const std::string& name) {
    if (name == "output_norm.weight") return true;
    for (const char* tail : {".attn_norm.weight", ".post_attention_norm.weight",
                             ".attn_q_norm.weight", ".attn_k_norm.weight"})
        if (name.starts_with("blk.") && name.ends_with(tail)) return true;
    return false;
}

// Value-head reordering from grouped (by key head) to tiled order; `unit` = the rows or columns
// of one head (head size, or 1 for per-head scalars).
struct HeadOrder {
    int k_heads, v_heads, unit;
    // The grouped position of the unit block that lands at tiled position `to`.
    int64_t source(int64_t to) const {
        const int r = v_heads / k_heads;
        const int64_t head = to / unit, within = to % unit;
        const int64_t j = head / k_heads, kh = head % k_heads;
        return (kh * r + j) * unit + within;
    }
    int64_t size() const { return int64_t(v_heads) * unit; }
};

// Rows (elements of a vector) [first, first + order.size()) of t reordered into a copy.
void reorder_rows(TensorView& t, int64_t first, const HeadOrder& order, OwnedTensorData& owned) {
    const int64_t rows = t.shape.size() == 1 ? t.shape[0] : t.rows();
    const size_t row = t.nbytes / size_t(rows);
    const std::vector<uint8_t> before(static_cast<const uint8_t*>(t.data),
                                      static_cast<const uint8_t*>(t.data) + t.nbytes);
    uint8_t* out = own_copy(t, owned);
    for (int64_t to = 0; to < order.size(); ++to)
        std::memcpy(out + size_t(first + to) * row,
                    before.data() + size_t(first + order.source(to)) * row, row);
}

// Columns of every row reordered (ssm_out: [dim, v heads x head size]).
void reorder_columns(TensorView& t, const HeadOrder& order, OwnedTensorData& owned,
                     const std::string& where) {
    if (!is_float_type(t.dtype))
        throw Error(where + ": tensor '" + t.name + "' has type " +
                    std::string(dtype_name(t.dtype)) + ", expected F32, F16 or BF16");
    const size_t elem = dtype_info(t.dtype).block_bytes, cols = size_t(t.cols());
    const std::vector<uint8_t> before(static_cast<const uint8_t*>(t.data),
                                      static_cast<const uint8_t*>(t.data) + t.nbytes);
    uint8_t* out = own_copy(t, owned);
    for (int64_t r = 0; r < t.rows(); ++r)
        for (int64_t to = 0; to < order.size(); ++to)
            std::memcpy(out + (size_t(r) * cols + size_t(to)) * elem,
                        before.data() + (size_t(r) * cols + size_t(order.source(to))) * elem, elem);
}

void check_shape(const TensorView& t, const std::vector<int64_t>& shape, const std::string& where) {
    if (t.shape != shape)
        throw Error(where + ": tensor '" + t.name + "' has shape " + shape_string(t.shape) +
                    ", expected " + shape_string(shape));
}

}  // namespace

void qwen35_tensors_from_hf(std::vector<TensorView>& tensors, const ModelConfig& c,
                            OwnedTensorData& owned, const std::string& where) {
    const bool reorder = c.ssm_k_heads > 0 && c.ssm_v_heads != c.ssm_k_heads;
    const HeadOrder by_head{c.ssm_k_heads, c.ssm_v_heads, c.ssm_head_dim};
    const HeadOrder by_scalar{c.ssm_k_heads, c.ssm_v_heads, 1};
    const int64_t v_rows_from = 2 * int64_t(c.ssm_k_dim());  // attn_qkv / conv: [q | k | v]
    for (TensorView& t : tensors) {
        if (!t.name.starts_with("blk.") && t.name != "output_norm.weight") continue;
        if (is_norm(t.name)) {
            std::vector<float> w = decoded(t, where);
            for (float& x : w) x += 1.0f;
            own_f32(t, w, owned);
        } else if (t.name.ends_with(".ssm_a")) {
            check_shape(t, {c.ssm_v_heads}, where);
            std::vector<float> a = decoded(t, where);
            for (float& x : a) x = -std::exp(x);
            own_f32(t, a, owned);
            if (reorder) reorder_rows(t, 0, by_scalar, owned);
        } else if (t.name.ends_with(".ssm_conv1d.weight")) {
            if (t.shape.size() == 3 && t.shape[1] == 1) t.shape = {t.shape[0], t.shape[2]};
            check_shape(t, {c.ssm_conv_dim(), c.ssm_conv_kernel}, where);
            if (reorder) reorder_rows(t, v_rows_from, by_head, owned);
        } else if (!reorder) {
            continue;
        } else if (t.name.ends_with(".attn_qkv.weight")) {
            check_shape(t, {c.ssm_conv_dim(), c.dim}, where);
            reorder_rows(t, v_rows_from, by_head, owned);
        } else if (t.name.ends_with(".attn_gate.weight")) {
            check_shape(t, {c.ssm_v_dim(), c.dim}, where);
            reorder_rows(t, 0, by_head, owned);
        } else if (t.name.ends_with(".ssm_alpha.weight") || t.name.ends_with(".ssm_beta.weight")) {
            check_shape(t, {c.ssm_v_heads, c.dim}, where);
            reorder_rows(t, 0, by_scalar, owned);
        } else if (t.name.ends_with(".ssm_dt.bias")) {
            check_shape(t, {c.ssm_v_heads}, where);
            reorder_rows(t, 0, by_scalar, owned);
        } else if (t.name.ends_with(".ssm_out.weight")) {
            check_shape(t, {c.dim, c.ssm_v_dim()}, where);
            reorder_columns(t, by_head, owned, where);
        }
    }
}

}  // namespace qe
