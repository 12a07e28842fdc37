#include "model/weights.h"

#include <string>

#include "core/error.h"
#include "model/model_file.h"
#include "quant/quant.h"

namespace qe {
namespace {

// Types the forward pass reads: norms and biases as plain floats, matrices in any type that has
// kernels (Q8_1 and Q8_K exist only as activation formats).
const std::vector<DType> kVectorTypes = {DType::F32, DType::F16, DType::BF16};
const std::vector<DType> kMatrixTypes = {
    DType::F32,  DType::F16,  DType::BF16, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1,
    DType::Q8_0, DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K};

// A small tensor (norm weight, bias) of any float type, decoded to float.
std::vector<float> vector_of(const ModelFile& file, const std::string& name, int64_t size) {
    const TensorView& t = file.get(name, kVectorTypes, {size});
    std::vector<float> out(static_cast<size_t>(size));
    dequantize_row(t.dtype, t.data, out.data(), size);
    return out;
}

TensorView matrix_of(const ModelFile& file, const std::string& name, int64_t rows, int64_t cols) {
    TensorView t = file.get(name, kMatrixTypes, {rows, cols});
    check_matrix(t, rows, cols);
    return t;
}

// A Gated DeltaNet layer's tensors, as llama.cpp's converter names and shapes them.
void bind_delta_net(const ModelFile& file, const ModelConfig& c, const std::string& p,
                    LayerWeights& L) {
    const int64_t dim = c.dim, conv_dim = c.ssm_conv_dim(), heads = c.ssm_v_heads;
    L.ssm_qkv = matrix_of(file, p + "attn_qkv.weight", conv_dim, dim);
    L.ssm_z = matrix_of(file, p + "attn_gate.weight", c.ssm_v_dim(), dim);
    L.ssm_alpha = matrix_of(file, p + "ssm_alpha.weight", heads, dim);
    L.ssm_beta = matrix_of(file, p + "ssm_beta.weight", heads, dim);
    const TensorView& conv =
        file.get(p + "ssm_conv1d.weight", kVectorTypes, {conv_dim, c.ssm_conv_kernel});
    // The file's [channel, tap] transposed to tap-major, so one tap of every channel is a row.
    const int64_t taps = c.ssm_conv_kernel;
    std::vector<float> by_channel(size_t(conv_dim * taps));
    dequantize_row(conv.dtype, conv.data, by_channel.data(), conv_dim * taps);
    L.ssm_conv.resize(by_channel.size());
    for (int64_t ch = 0; ch < conv_dim; ++ch)
        for (int64_t j = 0; j < taps; ++j)
            L.ssm_conv[size_t(j * conv_dim + ch)] = by_channel[size_t(ch * taps + j)];
    L.ssm_dt_bias = vector_of(file, p + "ssm_dt.bias", heads);
    L.ssm_a = vector_of(file, p + "ssm_a", heads);
    L.ssm_norm = vector_of(file, p + "ssm_norm.weight", c.ssm_head_dim);
    L.ssm_out = matrix_of(file, p + "ssm_out.weight", dim, c.ssm_v_dim());
}

}  // namespace

void check_matrix(const TensorView& t, int64_t rows, int64_t cols) {
    if (t.shape != std::vector<int64_t>{rows, cols})
        throw Error("tensor " + t.name + ": expected shape " + shape_string({rows, cols}) +
                    ", found " + shape_string(t.shape));
    const auto row_size = row_bytes(t.dtype, cols);
    if (!row_size)
        throw Error("tensor " + t.name + ": a row of " + std::to_string(cols) +
                    " elements is not a whole number of " + std::string(dtype_name(t.dtype)) +
                    " blocks");
    if (*row_size * size_t(rows) != t.nbytes)
        throw Error("tensor " + t.name + ": " + std::to_string(t.nbytes) + " bytes, expected " +
                    std::to_string(*row_size * size_t(rows)) + " for " + shape_string(t.shape) +
                    " " + std::string(dtype_name(t.dtype)));
}

Weights bind_weights(const ModelFile& file, const ModelConfig& c) {
    const int64_t dim = c.dim, q_dim = int64_t(c.n_heads) * c.head_dim,
                  kv_dim = int64_t(c.n_kv_heads) * c.head_dim, ffn = c.ffn_dim,
                  vocab = c.vocab_size;
    Weights w;
    w.token_embd = matrix_of(file, "token_embd.weight", vocab, dim);
    for (int l = 0; l < c.n_layers; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        LayerWeights L;
        L.attn_norm = vector_of(file, p + "attn_norm.weight", dim);
        if (c.is_delta_net_layer(l)) {
            bind_delta_net(file, c, p, L);
        } else {
            L.wq =
                matrix_of(file, p + "attn_q.weight", c.attn_output_gate ? 2 * q_dim : q_dim, dim);
            L.wk = matrix_of(file, p + "attn_k.weight", kv_dim, dim);
            L.wv = matrix_of(file, p + "attn_v.weight", kv_dim, dim);
            if (c.qk_norm) {
                L.q_norm = vector_of(file, p + "attn_q_norm.weight", c.head_dim);
                L.k_norm = vector_of(file, p + "attn_k_norm.weight", c.head_dim);
            }
            if (c.qkv_bias) {
                L.bq = vector_of(file, p + "attn_q.bias", q_dim);
                L.bk = vector_of(file, p + "attn_k.bias", kv_dim);
                L.bv = vector_of(file, p + "attn_v.bias", kv_dim);
            }
            L.wo = matrix_of(file, p + "attn_output.weight", dim, q_dim);
        }
        // Hybrid files name the pre-FFN norm after its place in Hugging Face's layer.
        L.ffn_norm = vector_of(
            file,
            p + (c.full_attention_interval ? "post_attention_norm.weight" : "ffn_norm.weight"),
            dim);
        L.w_gate = matrix_of(file, p + "ffn_gate.weight", ffn, dim);
        L.w_up = matrix_of(file, p + "ffn_up.weight", ffn, dim);
        L.w_down = matrix_of(file, p + "ffn_down.weight", dim, ffn);
        w.layers.push_back(std::move(L));
    }
    w.output_norm = vector_of(file, "output_norm.weight", dim);
    w.output =
        file.find("output.weight") ? matrix_of(file, "output.weight", vocab, dim) : w.token_embd;
    return w;
}

}  // namespace qe
