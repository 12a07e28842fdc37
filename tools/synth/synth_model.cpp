#include "synth/synth_model.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "core/half.h"
#include "io/gguf_writer.h"
#include "io/safetensors_writer.h"
#include "model/hf_names.h"
#include "quant/quant.h"
#include "synth/qwen35_hf_config.h"
#include "synth/synth_random.h"
#include "tokenizer/pretokenize.h"

namespace qe::synth {
namespace {

namespace fs = std::filesystem;
namespace gv = gguf_value;

// Bumped whenever the same options would produce different bytes (values, layout, metadata).
// 3: Qwen3.5's ssm_a is -exp(A_log) of a bf16 A_log (the form a Hugging Face folder holds).
constexpr int kGeneratorVersion = 3;

int64_t elements(const std::vector<int64_t>& shape) {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

bool ends_with(const std::string& s, std::string_view tail) {
    return s.ends_with(tail);
}

// Qwen3.5's zero-centred RMSNorm weights: GGUF holds 1 + w, a Hugging Face folder w (not the
// DeltaNet output norm ssm_norm, a plain weight in both).
bool stored_plus_one(const std::string& name) {
    return ends_with(name, "_norm.weight") && !ends_with(name, ".ssm_norm.weight");
}

// One row of a tensor's values. Matrices are N(0, 1/fan_in) so every projection keeps the scale
// of its input and activations stay finite through all layers; norm weights are near 1 and
// biases small. `form` kHf gives a Qwen3.5 tensor's values as a Hugging Face folder holds them
// (model/hf_qwen35.h), from which llama.cpp's converter makes exactly the GGUF values:
//   - norms: w = g - 1 for the GGUF's g. g is a bfloat16 in [0.5, 2) (1 + 0.05 N, |N| < 3.5), a
//     multiple of 2^-8, so |g - 1| < 1 is a multiple of 2^-8 with at most 8 significant bits:
//     exact in bfloat16, and w + 1 in float32 gives g back bit for bit;
//   - ssm_a: the folder holds A_log (a bfloat16 N(0, 0.5)); the GGUF -exp(A_log) in float32.
void row_values(uint64_t seed, const std::string& name, uint64_t name_hash, int64_t row,
                int64_t cols, float* out, ValueForm form = ValueForm::kGguf) {
    RowRandom rng(seed, name_hash, uint64_t(row));
    float scale = 1.0f / std::sqrt(float(cols));
    float offset = 0.0f;
    if (ends_with(name, "_norm.weight")) {
        scale = 0.05f;
        offset = 1.0f;
    } else if (ends_with(name, ".bias")) {
        scale = 0.02f;
    } else if (ends_with(name, ".ssm_a")) {
        // Negative, so the state decays.
        for (int64_t i = 0; i < cols; ++i) {
            const float a_log = bf16_to_f32(f32_to_bf16(0.5f * rng.normal()));
            out[i] = form == ValueForm::kHf ? a_log : -std::exp(a_log);
        }
        return;
    }
    const float hf_offset = form == ValueForm::kHf && stored_plus_one(name) ? 1.0f : 0.0f;
    for (int64_t i = 0; i < cols; ++i) {
        out[i] = bf16_to_f32(f32_to_bf16(offset + scale * rng.normal())) - hf_offset;
    }
}

// Runs fn(begin, end) over [0, n) split across the machine's cores.
template <typename Fn>
void parallel_rows(int64_t n, Fn fn) {
    const int64_t threads = std::clamp<int64_t>(int64_t(std::thread::hardware_concurrency()), 1,
                                                std::max<int64_t>(n, 1));
    if (threads <= 1) {
        fn(int64_t(0), n);
        return;
    }
    std::vector<std::thread> pool;
    const int64_t chunk = (n + threads - 1) / threads;
    for (int64_t t = 0; t < threads; ++t) {
        const int64_t begin = t * chunk, end = std::min(n, begin + chunk);
        if (begin >= end) break;
        pool.emplace_back([=] { fn(begin, end); });
    }
    for (auto& th : pool) th.join();
}

// One row of values in type `dtype`, at dst (row_bytes(dtype, cols) bytes).
void encode_row(DType dtype, const float* values, int64_t cols, uint8_t* dst) {
    switch (dtype) {
        case DType::F32:
            std::memcpy(dst, values, size_t(cols) * sizeof(float));
            break;
        case DType::F16:
            for (int64_t i = 0; i < cols; ++i) {
                const uint16_t h = f32_to_f16(values[i]);
                std::memcpy(dst + 2 * i, &h, 2);
            }
            break;
        case DType::BF16:
            for (int64_t i = 0; i < cols; ++i) {
                const uint16_t b = f32_to_bf16(values[i]);
                std::memcpy(dst + 2 * i, &b, 2);
            }
            break;
        default:
            quantize_row(dtype, values, dst, cols);
            break;
    }
}

// The bytes of tensor `name` in type `dtype`: rows generated and encoded in parallel.
void encode_tensor(uint64_t seed, const std::string& name, const std::vector<int64_t>& shape,
                   DType dtype, std::vector<uint8_t>& out, ValueForm form = ValueForm::kGguf) {
    const int64_t cols = shape.back();
    const int64_t rows = elements(shape) / cols;
    const size_t row_size = row_bytes(dtype, cols).value();
    out.assign(row_size * size_t(rows), 0);
    const uint64_t name_hash = hash_name(name);
    parallel_rows(rows, [&](int64_t begin, int64_t end) {
        std::vector<float> values(static_cast<size_t>(cols));
        for (int64_t r = begin; r < end; ++r) {
            row_values(seed, name, name_hash, r, cols, values.data(), form);
            encode_row(dtype, values.data(), cols, out.data() + size_t(r) * row_size);
        }
    });
}

bool same_layout(const Shape& a, const Shape& b) {
    return a.arch == b.arch && a.layers == b.layers && a.dim == b.dim && a.heads == b.heads &&
           a.kv_heads == b.kv_heads && head_size(a) == head_size(b) && a.ffn == b.ffn &&
           a.vocab == b.vocab &&
           (a.arch != Arch::kQwen35 ||
            (a.delta_heads == b.delta_heads && a.delta_head_dim == b.delta_head_dim));
}

std::string default_name(const Shape& s) {
    const std::pair<Shape, const char*> known[] = {
        {qwen25_05b(), "Qwen2.5-0.5B-Instruct"},
        {qwen3_06b(), "Qwen3-0.6B"},
        {qwen3_17b(), "Qwen3-1.7B"},
        {qwen3_4b(), "Qwen3-4B"},
        {qwen35_08b(), "Qwen3.5-0.8B"},
        {qwen35_2b(), "Qwen3.5-2B"},
    };
    for (const auto& [shape, name] : known) {
        if (same_layout(s, shape)) {
            return std::string(name) + " shape, random weights (synthetic: output is noise)";
        }
    }
    const char* family = s.arch == Arch::kQwen35  ? "Synthetic Qwen3.5 "
                         : s.arch == Arch::kQwen3 ? "Synthetic Qwen3 "
                                                  : "Synthetic Qwen2 ";
    return std::string(family) + std::to_string(s.layers) + "x" + std::to_string(s.dim) +
           ", random weights (output is noise)";
}

std::string model_name(const Options& o) {
    return o.name.empty() ? default_name(o.shape) : o.name;
}

void check_vocab(const Shape& s, const SynthVocab& vocab) {
    if (vocab.rows != s.vocab) throw Error("the vocabulary does not match the shape's rows");
    if (vocab.added.size() != size_t(added_tokens(s.arch))) {
        throw Error("a " + std::string(arch_name(s.arch)) + " vocabulary has " +
                    std::to_string(added_tokens(s.arch)) + " added tokens, not " +
                    std::to_string(vocab.added.size()));
    }
}

void write_json(const fs::path& path, const nlohmann::json& j) {
    std::ofstream out(path);
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::strict) << "\n";
    if (!out) throw Error(path.string() + ": cannot write");
}

// config.json and generation_config.json as in Qwen's folders (Qwen2.5-0.5B-Instruct's and
// Qwen3-0.6B's): the keys both have, then each one's own.
void write_hf_configs(const Options& o, const SynthVocab& vocab, const fs::path& dir,
                      const char* torch_dtype) {
    const Shape& s = o.shape;
    const bool qwen3 = s.arch == Arch::kQwen3;
    nlohmann::json config = {{"attention_dropout", 0.0},
                             {"bos_token_id", vocab.endoftext_id},
                             {"eos_token_id", vocab.im_end_id},
                             {"hidden_act", "silu"},
                             {"hidden_size", s.dim},
                             {"initializer_range", 0.02},
                             {"intermediate_size", s.ffn},
                             {"max_position_embeddings", s.context},
                             {"max_window_layers", s.layers},
                             {"model_type", arch_name(s.arch)},
                             {"num_attention_heads", s.heads},
                             {"num_hidden_layers", s.layers},
                             {"num_key_value_heads", s.kv_heads},
                             {"rms_norm_eps", json_decimal(s.rms_eps)},
                             {"rope_theta", json_decimal(s.rope_theta)},
                             {"tie_word_embeddings", s.tied},
                             {"torch_dtype", torch_dtype},
                             {"use_cache", true},
                             {"use_sliding_window", false},
                             {"vocab_size", s.vocab},
                             {"qwen_edge_synth", params_string(o, "hf")}};
    nlohmann::json generation = {{"bos_token_id", vocab.endoftext_id},
                                 {"pad_token_id", vocab.endoftext_id},
                                 {"do_sample", true},
                                 {"eos_token_id", {vocab.im_end_id, vocab.endoftext_id}},
                                 {"top_k", 20}};
    if (s.arch == Arch::kQwen35) {
        config = qwen35_hf_config(s, vocab, torch_dtype, params_string(o, "hf"));
        generation.update({{"temperature", 0.6}, {"top_p", 0.95}});
    } else if (qwen3) {
        config.update({{"architectures", {"Qwen3ForCausalLM"}},
                       {"attention_bias", false},
                       {"head_dim", head_size(s)},
                       {"rope_scaling", nullptr},
                       {"sliding_window", nullptr}});
        generation.update({{"temperature", 0.6}, {"top_p", 0.95}});
    } else {
        config.update({{"architectures", {"Qwen2ForCausalLM"}}, {"sliding_window", s.context}});
        generation.update({{"repetition_penalty", 1.1}, {"temperature", 0.7}, {"top_p", 0.8}});
    }
    write_json(dir / "config.json", config);
    write_json(dir / "generation_config.json", generation);
}

}  // namespace

double json_decimal(float f) {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), f);
    return ec == std::errc() ? std::strtod(std::string(buf, end).c_str(), nullptr) : double(f);
}

std::string_view arch_name(Arch a) {
    return a == Arch::kQwen35 ? "qwen35" : a == Arch::kQwen3 ? "qwen3" : "qwen2";
}

std::optional<Arch> parse_arch(std::string_view name) {
    if (name == "qwen2") return Arch::kQwen2;
    if (name == "qwen3") return Arch::kQwen3;
    if (name == "qwen35") return Arch::kQwen35;
    return std::nullopt;
}

int head_size(const Shape& s) {
    if (s.head_dim > 0) return s.head_dim;
    return s.heads > 0 ? s.dim / s.heads : 0;
}

int added_tokens(Arch a) {
    return a == Arch::kQwen2 ? kQwen25AddedTokens : kQwen3AddedTokens;
}

const char* chat_template(Arch a) {
    return a == Arch::kQwen35  ? kQwen35ChatTemplate
           : a == Arch::kQwen3 ? kQwen3ChatTemplate
                               : kQwen25ChatTemplate;
}

Shape qwen25_05b() {
    return Shape{};
}

// Qwen2.5-1.5B-Instruct's config.json: the 0.5B's family at 28 layers, hidden 1536, 12 query heads
// of 128, the same vocabulary and tied embeddings.
Shape qwen25_15b() {
    Shape s;
    s.layers = 28;
    s.dim = 1536;
    s.heads = 12;
    s.kv_heads = 2;
    s.ffn = 8960;
    return s;
}

Shape qwen3_06b() {
    Shape s;
    s.arch = Arch::kQwen3;
    s.layers = 28;
    s.dim = 1024;
    s.heads = 16;
    s.kv_heads = 8;
    s.head_dim = 128;
    s.ffn = 3072;
    s.vocab = 151936;
    s.context = 40960;
    return s;
}

Shape qwen3_17b() {
    Shape s = qwen3_06b();
    s.dim = 2048;
    s.ffn = 6144;
    return s;
}

Shape qwen3_4b() {
    Shape s = qwen3_06b();
    s.layers = 36;
    s.dim = 2560;
    s.heads = 32;
    s.ffn = 9728;
    return s;
}

Shape qwen35_08b() {
    Shape s;
    s.arch = Arch::kQwen35;
    s.layers = 24;
    s.dim = 1024;
    s.heads = 8;
    s.kv_heads = 2;
    s.head_dim = 256;
    s.ffn = 3584;
    s.vocab = 248320;
    s.context = 262144;
    s.rope_theta = 1e7f;
    return s;
}

Shape qwen35_2b() {
    Shape s = qwen35_08b();
    s.dim = 2048;
    s.ffn = 6144;
    return s;
}

std::optional<Shape> preset_shape(std::string_view name) {
    if (name == "qwen3.5-0.8b") return qwen35_08b();
    if (name == "qwen3.5-2b") return qwen35_2b();
    if (name == "qwen2.5-0.5b") return qwen25_05b();
    if (name == "qwen2.5-1.5b") return qwen25_15b();
    if (name == "qwen3-0.6b") return qwen3_06b();
    if (name == "qwen3-1.7b") return qwen3_17b();
    if (name == "qwen3-4b") return qwen3_4b();
    return std::nullopt;
}

std::vector<std::string> preset_names() {
    return {"qwen2.5-0.5b", "qwen2.5-1.5b", "qwen3-0.6b", "qwen3-1.7b",
            "qwen3-4b",     "qwen3.5-0.8b", "qwen3.5-2b"};
}

std::string hf_tensor_name(const std::string& gguf_name, Arch arch) {
    const auto name = hf_name_from_gguf(
        gguf_name, arch == Arch::kQwen35 ? HfLayout::Hybrid : HfLayout::Transformer);
    if (!name) throw Error("no Hugging Face name for tensor " + gguf_name);
    return *name;
}

void check_shape(const Shape& s) {
    std::vector<std::string> problems;
    auto need = [&](bool ok, const std::string& what) {
        if (!ok) problems.push_back(what);
    };
    need(s.layers >= 1 && s.layers <= 1024, "layers must be 1..1024");
    need(s.dim >= 2 && s.dim <= 65536, "dim must be 2..65536");
    need(s.heads >= 1 && s.kv_heads >= 1, "heads and kv heads must be positive");
    need(s.head_dim >= 0 && s.head_dim <= 4096, "head dim must be 0 (dim / heads) or 1..4096");
    if (s.head_dim == 0) {
        need(s.heads >= 1 && s.dim % s.heads == 0, "dim must be a multiple of heads");
    }
    if (s.arch == Arch::kQwen2) {
        // Qwen2 files do not state a head size: readers take dim / heads.
        need(s.head_dim == 0 || (s.heads >= 1 && s.head_dim * s.heads == s.dim),
             "a qwen2 head dim must be dim / heads (use --arch qwen3 for another)");
    }
    need(s.heads >= 1 && head_size(s) % 2 == 0, "the head size must be even");
    need(s.kv_heads >= 1 && s.heads % s.kv_heads == 0, "heads must be a multiple of kv heads");
    need(s.ffn >= 1 && s.ffn <= (1 << 20), "ffn must be 1..1048576");
    need(s.context >= 1, "context must be positive");
    need(s.rope_theta > 0 && std::isfinite(s.rope_theta), "rope theta must be positive");
    need(s.rms_eps > 0 && s.rms_eps < 1, "rms eps must be in (0, 1)");
    if (s.arch == Arch::kQwen35) {
        need(s.delta_heads >= 1 && s.delta_head_dim >= 2, "DeltaNet heads must be positive");
        need(s.conv_kernel >= 1 && s.conv_kernel <= 16, "the conv kernel must be 1..16");
        need(s.attention_interval >= 1, "the attention interval must be positive");
        need(s.rope_dims >= 2 && s.rope_dims <= head_size(s) && s.rope_dims % 2 == 0,
             "rope dims must be even and at most the head size");
    }
    if (problems.empty()) return;
    std::string message = "bad model shape: ";
    for (size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
    throw Error(message);
}

std::string params_string(const Options& o, const std::string& format) {
    const Shape& s = o.shape;
    std::ostringstream out;
    out << "generator=" << kGeneratorVersion << " format=" << format << " type=" << o.type.name
        << " seed=" << o.seed << " arch=" << arch_name(s.arch) << " layers=" << s.layers
        << " dim=" << s.dim << " heads=" << s.heads << " kv_heads=" << s.kv_heads
        << " head_dim=" << head_size(s) << " ffn=" << s.ffn << " vocab=" << s.vocab
        << " context=" << s.context << " rope_theta=" << s.rope_theta << " rms_eps=" << s.rms_eps
        << " tied=" << (s.tied ? 1 : 0);
    if (s.arch == Arch::kQwen35)
        out << " delta_heads=" << s.delta_heads << " delta_head_dim=" << s.delta_head_dim
            << " conv=" << s.conv_kernel << " interval=" << s.attention_interval
            << " rope_dims=" << s.rope_dims;
    out << " name=" << model_name(o);
    if (o.rerank_head) out << " rerank_head=1";
    return out.str();
}

namespace {

// Qwen3.5's layers: every attention_interval-th one gated full attention, the others Gated
// DeltaNet (value heads = key heads, as in the 0.8B and 2B models).
void hybrid_layers(const Shape& s, std::vector<std::pair<std::string, std::vector<int64_t>>>& out) {
    const int64_t hd = head_size(s), q = int64_t(s.heads) * hd, kv = int64_t(s.kv_heads) * hd;
    const int64_t heads = s.delta_heads, inner = heads * s.delta_head_dim;
    const int64_t conv = 3 * inner;  // [q | k | v] channels
    for (int l = 0; l < s.layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        out.push_back({b + "attn_norm.weight", {s.dim}});
        if ((l + 1) % s.attention_interval == 0) {
            out.push_back({b + "attn_q.weight", {2 * q, s.dim}});  // per head [query | gate]
            out.push_back({b + "attn_k.weight", {kv, s.dim}});
            out.push_back({b + "attn_v.weight", {kv, s.dim}});
            out.push_back({b + "attn_q_norm.weight", {hd}});
            out.push_back({b + "attn_k_norm.weight", {hd}});
            out.push_back({b + "attn_output.weight", {s.dim, q}});
        } else {
            out.push_back({b + "attn_qkv.weight", {conv, s.dim}});
            out.push_back({b + "attn_gate.weight", {inner, s.dim}});
            out.push_back({b + "ssm_conv1d.weight", {conv, s.conv_kernel}});
            out.push_back({b + "ssm_dt.bias", {heads}});
            out.push_back({b + "ssm_a", {heads}});
            out.push_back({b + "ssm_alpha.weight", {heads, s.dim}});
            out.push_back({b + "ssm_beta.weight", {heads, s.dim}});
            out.push_back({b + "ssm_norm.weight", {s.delta_head_dim}});
            out.push_back({b + "ssm_out.weight", {s.dim, inner}});
        }
        out.push_back({b + "post_attention_norm.weight", {s.dim}});
        out.push_back({b + "ffn_gate.weight", {s.ffn, s.dim}});
        out.push_back({b + "ffn_up.weight", {s.ffn, s.dim}});
        out.push_back({b + "ffn_down.weight", {s.dim, s.ffn}});
    }
}

}  // namespace

// In the order llama.cpp's converter writes them (as in the golden F16 files).
std::vector<std::pair<std::string, std::vector<int64_t>>> tensor_list(const Shape& s) {
    const int64_t head_dim = head_size(s);
    const int64_t q = int64_t(s.heads) * head_dim;  // = dim for Qwen2; 2 x dim for Qwen3-0.6B
    const int64_t kv = int64_t(s.kv_heads) * head_dim;
    const bool qwen2 = s.arch == Arch::kQwen2;
    std::vector<std::pair<std::string, std::vector<int64_t>>> out;
    out.push_back({"token_embd.weight", {s.vocab, s.dim}});  // [vocab, dim]
    if (s.arch == Arch::kQwen35) {
        hybrid_layers(s, out);
        out.push_back({"output_norm.weight", {s.dim}});
        if (!s.tied) out.push_back({"output.weight", {s.vocab, s.dim}});
        return out;
    }
    for (int l = 0; l < s.layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        out.push_back({b + "attn_norm.weight", {s.dim}});
        out.push_back({b + "attn_q.weight", {q, s.dim}});  // [heads * head_dim, dim]
        if (qwen2) out.push_back({b + "attn_q.bias", {q}});
        out.push_back({b + "attn_k.weight", {kv, s.dim}});  // [kv_heads * head_dim, dim]
        if (qwen2) out.push_back({b + "attn_k.bias", {kv}});
        out.push_back({b + "attn_v.weight", {kv, s.dim}});
        if (qwen2) out.push_back({b + "attn_v.bias", {kv}});
        if (!qwen2) {
            out.push_back({b + "attn_q_norm.weight", {head_dim}});  // [head_dim], shared by heads
            out.push_back({b + "attn_k_norm.weight", {head_dim}});
        }
        out.push_back({b + "attn_output.weight", {s.dim, q}});  // [dim, heads * head_dim]
        out.push_back({b + "ffn_norm.weight", {s.dim}});
        out.push_back({b + "ffn_gate.weight", {s.ffn, s.dim}});  // [ffn, dim]
        out.push_back({b + "ffn_up.weight", {s.ffn, s.dim}});
        out.push_back({b + "ffn_down.weight", {s.dim, s.ffn}});  // [dim, ffn]
    }
    out.push_back({"output_norm.weight", {s.dim}});
    if (!s.tied) out.push_back({"output.weight", {s.vocab, s.dim}});
    return out;
}

std::vector<float> tensor_values(uint64_t seed, const std::string& name,
                                 const std::vector<int64_t>& shape, ValueForm form) {
    const int64_t cols = shape.empty() ? 1 : shape.back();
    const int64_t rows = elements(shape) / cols;
    std::vector<float> out(size_t(rows * cols));
    const uint64_t h = hash_name(name);
    for (int64_t r = 0; r < rows; ++r)
        row_values(seed, name, h, r, cols, &out[size_t(r * cols)], form);
    return out;
}

namespace {

// As llama.cpp's converter writes it for Qwen3-Reranker: the card's prompt with the default
// instruction in place.
constexpr const char* kRerankTemplate =
    "<|im_start|>system\nJudge whether the Document meets the requirements based on the Query "
    "and the Instruct provided. Note that the answer can only be \"yes\" or \"no\".<|im_end|>\n"
    "<|im_start|>user\n<Instruct>: Given a web search query, retrieve relevant passages that "
    "answer the query\n<Query>: {query}\n<Document>: {document}<|im_end|>\n"
    "<|im_start|>assistant\n<think>\n\n</think>\n\n";

int token_id(const SynthVocab& vocab, const std::string& text) {
    for (size_t id = 0; id < size_t(vocab.ordinary); ++id)
        if (vocab.tokens[id] == text) return int(id);
    throw Error("a reranker needs the token \"" + text + "\": give the vocabulary at least " +
                "9856 rows");
}

// cls.output.weight [2, dim]: the output head's rows of "yes" and "no", encoded as the head is.
Written add_rerank_head(const Options& o, const SynthVocab& vocab, const TensorContext& ctx,
                        GgufWriter& w) {
    const Shape& s = o.shape;
    if (s.arch != Arch::kQwen3) throw Error("a reranker head is for qwen3 models only");
    const std::string head = s.tied ? "token_embd.weight" : "output.weight";
    const DType t = tensor_type(o.type, head, {s.vocab, s.dim}, ctx);
    const int rows[2] = {token_id(vocab, "yes"), token_id(vocab, "no")};
    w.add_tensor("cls.output.weight", t, {2, s.dim},
                 [seed = o.seed, head, rows, cols = int64_t(s.dim), t](std::vector<uint8_t>& out) {
                     const size_t row_size = row_bytes(t, cols).value();
                     out.assign(2 * row_size, 0);
                     std::vector<float> values(static_cast<size_t>(cols));
                     for (size_t i = 0; i < 2; ++i) {
                         row_values(seed, head, hash_name(head), rows[i], cols, values.data());
                         encode_row(t, values.data(), cols, out.data() + i * row_size);
                     }
                 });
    return {1, 2 * row_bytes(t, s.dim).value()};
}

}  // namespace

Written write_gguf(const Options& o, const SynthVocab& vocab, const std::string& path) {
    check_shape(o.shape);
    const Shape& s = o.shape;
    check_vocab(s, vocab);
    const std::string a = std::string(arch_name(s.arch)) + ".";  // key prefix
    GgufWriter w;
    w.set("general.architecture", gv::str(std::string(arch_name(s.arch))));
    w.set("general.type", gv::str("model"));
    w.set("general.name", gv::str(model_name(o)));
    w.set("general.description",
          gv::str("Seeded random weights made by qwen-edge-synth, for testing: output is noise."));
    w.set("general.license", gv::str("apache-2.0"));
    w.set(a + "block_count", gv::u32(uint32_t(s.layers)));
    w.set(a + "context_length", gv::u32(uint32_t(s.context)));
    w.set(a + "embedding_length", gv::u32(uint32_t(s.dim)));
    w.set(a + "feed_forward_length", gv::u32(uint32_t(s.ffn)));
    w.set(a + "attention.head_count", gv::u32(uint32_t(s.heads)));
    w.set(a + "attention.head_count_kv", gv::u32(uint32_t(s.kv_heads)));
    w.set(a + "rope.freq_base", gv::f32(s.rope_theta));
    w.set(a + "attention.layer_norm_rms_epsilon", gv::f32(s.rms_eps));
    if (s.arch != Arch::kQwen2) {
        // The converter writes these when config.json has head_dim, as every Qwen3's has.
        w.set(a + "attention.key_length", gv::u32(uint32_t(head_size(s))));
        w.set(a + "attention.value_length", gv::u32(uint32_t(head_size(s))));
    }
    if (s.arch == Arch::kQwen35) {
        const uint32_t inner = uint32_t(s.delta_heads * s.delta_head_dim);
        w.set(a + "rope.dimension_count", gv::u32(uint32_t(s.rope_dims)));
        // Interleaved MRoPE sections of the rotated pairs (text positions: all alike).
        const std::vector<int> sections = mrope_sections(s, true);
        w.set(a + "rope.dimension_sections",
              gv::i32s(std::vector<int32_t>(sections.begin(), sections.end())));
        w.set(a + "ssm.conv_kernel", gv::u32(uint32_t(s.conv_kernel)));
        w.set(a + "ssm.state_size", gv::u32(uint32_t(s.delta_head_dim)));
        w.set(a + "ssm.group_count", gv::u32(uint32_t(s.delta_heads)));
        w.set(a + "ssm.time_step_rank", gv::u32(uint32_t(s.delta_heads)));
        w.set(a + "ssm.inner_size", gv::u32(inner));
        w.set(a + "full_attention_interval", gv::u32(uint32_t(s.attention_interval)));
    }
    w.set("general.file_type", gv::u32(uint32_t(o.type.id)));
    w.set("general.quantization_version", gv::u32(2));
    w.set("tokenizer.ggml.model", gv::str("gpt2"));
    w.set("tokenizer.ggml.pre", gv::str(s.arch == Arch::kQwen35 ? "qwen35" : "qwen2"));
    w.set("tokenizer.ggml.tokens", gv::strings(vocab.tokens));
    w.set("tokenizer.ggml.token_type", gv::i32s(vocab.token_types));
    w.set("tokenizer.ggml.merges", gv::strings(vocab.merges));
    w.set("tokenizer.ggml.eos_token_id", gv::u32(uint32_t(vocab.im_end_id)));
    w.set("tokenizer.ggml.padding_token_id", gv::u32(uint32_t(vocab.endoftext_id)));
    w.set("tokenizer.ggml.bos_token_id", gv::u32(uint32_t(vocab.endoftext_id)));
    w.set("tokenizer.ggml.add_bos_token", gv::boolean(false));
    w.set("tokenizer.chat_template", gv::str(chat_template(s.arch)));
    w.set("qwen_edge.synth.params", gv::str(params_string(o, "gguf")));

    const TensorContext ctx{s.layers, s.heads, s.kv_heads, !s.tied};
    Written written;
    if (o.rerank_head) {
        written = add_rerank_head(o, vocab, ctx, w);
        w.set(a + "pooling_type", gv::u32(4));
        w.set(a + "classifier.output_labels", gv::strings({"yes", "no"}));
        w.set("tokenizer.chat_template.rerank", gv::str(kRerankTemplate));
    }
    for (const auto& [name, shape] : tensor_list(s)) {
        if (o.rerank_head && name == "output.weight") continue;  // replaced by cls.output
        const DType t = tensor_type(o.type, name, shape, ctx);
        w.add_tensor(name, t, shape,
                     [seed = o.seed, name = name, shape = shape, t](std::vector<uint8_t>& out) {
                         encode_tensor(seed, name, shape, t, out);
                     });
        written.bytes +=
            row_bytes(t, shape.back()).value() * size_t(elements(shape) / shape.back());
        ++written.tensors;
    }
    w.write_file(path);
    return written;
}

namespace {

// A tensor as the Hugging Face folder holds it: name, type, shape. Qwen3.5's A_log and DeltaNet
// output norm are F32 in the official folders (whatever the rest), and its depthwise conv weight
// is [channels, 1, kernel].
struct HfTensor {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
};

HfTensor hf_tensor(const Shape& s, const std::string& gguf_name, std::vector<int64_t> shape,
                   DType type) {
    HfTensor t{hf_tensor_name(gguf_name, s.arch), type, std::move(shape)};
    if (s.arch != Arch::kQwen35) return t;
    if (ends_with(gguf_name, ".ssm_a") || ends_with(gguf_name, ".ssm_norm.weight"))
        t.dtype = DType::F32;
    if (ends_with(gguf_name, ".ssm_conv1d.weight")) t.shape = {t.shape[0], 1, t.shape[1]};
    return t;
}

// tokenizer.json as the architecture's own: Qwen3.5's pre-tokenizer splits with its pattern.
nlohmann::json tokenizer_json(const Shape& s, const SynthVocab& vocab) {
    nlohmann::json tok = vocab.tokenizer_json;
    if (s.arch == Arch::kQwen35)
        tok["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] =
            std::string(kQwen35SplitPattern);
    return tok;
}

}  // namespace

Written write_hf(const Options& o, const SynthVocab& vocab, const std::string& folder) {
    check_shape(o.shape);
    const Shape& s = o.shape;
    check_vocab(s, vocab);
    if (o.rerank_head) throw Error("a reranker head is written to GGUF files only");
    const DType t = o.type.base;
    if (t != DType::BF16 && t != DType::F16 && t != DType::F32) {
        throw Error("a Hugging Face folder holds bf16, f16 or f32 weights, not " + o.type.name);
    }
    const fs::path dir(folder);
    fs::create_directories(dir);

    SafetensorsWriter st;
    st.set_metadata("format", "pt");
    st.set_metadata("qwen_edge.synth.params", params_string(o, "hf"));
    Written written;
    const ValueForm form = s.arch == Arch::kQwen35 ? ValueForm::kHf : ValueForm::kGguf;
    for (const auto& [name, shape] : tensor_list(s)) {
        const HfTensor h = hf_tensor(s, name, shape, t);
        st.add_tensor(
            h.name, h.dtype, h.shape,
            [seed = o.seed, name = name, shape = shape, dtype = h.dtype, form](
                std::vector<uint8_t>& out) { encode_tensor(seed, name, shape, dtype, out, form); });
        written.bytes += size_t(elements(shape)) * dtype_info(h.dtype).block_bytes;
        ++written.tensors;
    }

    const char* torch_dtype = t == DType::BF16  ? "bfloat16"
                              : t == DType::F16 ? "float16"
                                                : "float32";
    write_hf_configs(o, vocab, dir, torch_dtype);
    write_json(dir / "tokenizer.json", tokenizer_json(s, vocab));

    nlohmann::json decoder = nlohmann::json::object();
    nlohmann::json additional = nlohmann::json::array();
    for (const auto& a : vocab.added) {
        decoder[std::to_string(a.id)] = {{"content", a.content}, {"lstrip", false},
                                         {"normalized", false},  {"rstrip", false},
                                         {"single_word", false}, {"special", a.special}};
        if (a.special && a.content != "<|endoftext|>") additional.push_back(a.content);
    }
    nlohmann::json tokenizer_config = {{"add_bos_token", false},
                                       {"add_prefix_space", false},
                                       {"added_tokens_decoder", decoder},
                                       {"additional_special_tokens", additional},
                                       {"bos_token", nullptr},
                                       {"chat_template", chat_template(s.arch)},
                                       {"clean_up_tokenization_spaces", false},
                                       {"eos_token", "<|im_end|>"},
                                       {"errors", "replace"},
                                       {"model_max_length", 131072},
                                       {"pad_token", "<|endoftext|>"},
                                       {"split_special_tokens", false},
                                       {"tokenizer_class", "Qwen2Tokenizer"},
                                       {"unk_token", nullptr}};
    if (s.arch == Arch::kQwen35) {
        // Qwen3.5's folders keep the template in a file of its own.
        tokenizer_config.erase("chat_template");
        tokenizer_config["model_max_length"] = s.context;
        std::ofstream out(dir / "chat_template.jinja", std::ios::binary);
        out << chat_template(s.arch);
        if (!out) throw Error((dir / "chat_template.jinja").string() + ": cannot write");
    }
    write_json(dir / "tokenizer_config.json", tokenizer_config);
    // Last, and atomically: a folder with model.safetensors is complete.
    st.write_file((dir / "model.safetensors").string());
    return written;
}

}  // namespace qe::synth
