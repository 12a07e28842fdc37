#include "synth/synth_model.h"

#include <algorithm>
#include <cmath>
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
#include "synth/synth_random.h"

namespace qe::synth {
namespace {

namespace fs = std::filesystem;
namespace gv = gguf_value;

// Bumped whenever the same options would produce different bytes (values, layout, metadata).
constexpr int kGeneratorVersion = 1;

int64_t elements(const std::vector<int64_t>& shape) {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

bool ends_with(const std::string& s, std::string_view tail) {
    return s.ends_with(tail);
}

// One row of a tensor's values. Matrices are N(0, 1/fan_in) so every projection keeps the scale
// of its input and activations stay finite through all layers; norm weights are near 1 and
// biases small.
void row_values(uint64_t seed, const std::string& name, uint64_t name_hash, int64_t row,
                int64_t cols, float* out) {
    RowRandom rng(seed, name_hash, uint64_t(row));
    float scale = 1.0f / std::sqrt(float(cols));
    float offset = 0.0f;
    if (ends_with(name, "_norm.weight")) {
        scale = 0.05f;
        offset = 1.0f;
    } else if (ends_with(name, ".bias")) {
        scale = 0.02f;
    }
    for (int64_t i = 0; i < cols; ++i) {
        out[i] = bf16_to_f32(f32_to_bf16(offset + scale * rng.normal()));
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

// The bytes of tensor `name` in type `dtype`: rows generated and encoded in parallel.
void encode_tensor(uint64_t seed, const std::string& name, const std::vector<int64_t>& shape,
                   DType dtype, std::vector<uint8_t>& out) {
    const int64_t cols = shape.back();
    const int64_t rows = elements(shape) / cols;
    const size_t row_size = row_bytes(dtype, cols).value();
    out.assign(row_size * size_t(rows), 0);
    const uint64_t name_hash = hash_name(name);
    parallel_rows(rows, [&](int64_t begin, int64_t end) {
        std::vector<float> values(static_cast<size_t>(cols));
        for (int64_t r = begin; r < end; ++r) {
            row_values(seed, name, name_hash, r, cols, values.data());
            uint8_t* dst = out.data() + size_t(r) * row_size;
            switch (dtype) {
                case DType::F32:
                    std::memcpy(dst, values.data(), row_size);
                    break;
                case DType::F16:
                    for (int64_t i = 0; i < cols; ++i) {
                        const uint16_t h = f32_to_f16(values[size_t(i)]);
                        std::memcpy(dst + 2 * i, &h, 2);
                    }
                    break;
                case DType::BF16:
                    for (int64_t i = 0; i < cols; ++i) {
                        const uint16_t b = f32_to_bf16(values[size_t(i)]);
                        std::memcpy(dst + 2 * i, &b, 2);
                    }
                    break;
                default:
                    quantize_row(dtype, values.data(), dst, cols);
                    break;
            }
        }
    });
}

std::string default_name(const Shape& s) {
    const Shape q = qwen25_05b();
    if (s.layers == q.layers && s.dim == q.dim && s.heads == q.heads && s.kv_heads == q.kv_heads &&
        s.ffn == q.ffn && s.vocab == q.vocab) {
        return "Qwen2.5-0.5B-Instruct shape, random weights (synthetic: output is noise)";
    }
    return "Synthetic Qwen2 " + std::to_string(s.layers) + "x" + std::to_string(s.dim) +
           ", random weights (output is noise)";
}

std::string model_name(const Options& o) {
    return o.name.empty() ? default_name(o.shape) : o.name;
}

void write_json(const fs::path& path, const nlohmann::json& j) {
    std::ofstream out(path);
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::strict) << "\n";
    if (!out) throw Error(path.string() + ": cannot write");
}

}  // namespace

Shape qwen25_05b() {
    return Shape{};
}

void check_shape(const Shape& s) {
    std::vector<std::string> problems;
    auto need = [&](bool ok, const std::string& what) {
        if (!ok) problems.push_back(what);
    };
    need(s.layers >= 1 && s.layers <= 1024, "layers must be 1..1024");
    need(s.dim >= 2 && s.dim <= 65536, "dim must be 2..65536");
    need(s.heads >= 1 && s.kv_heads >= 1, "heads and kv heads must be positive");
    need(s.heads >= 1 && s.dim % s.heads == 0, "dim must be a multiple of heads");
    need(s.heads >= 1 && (s.dim / s.heads) % 2 == 0, "the head size (dim / heads) must be even");
    need(s.kv_heads >= 1 && s.heads % s.kv_heads == 0, "heads must be a multiple of kv heads");
    need(s.ffn >= 1 && s.ffn <= (1 << 20), "ffn must be 1..1048576");
    need(s.context >= 1, "context must be positive");
    need(s.rope_theta > 0 && std::isfinite(s.rope_theta), "rope theta must be positive");
    need(s.rms_eps > 0 && s.rms_eps < 1, "rms eps must be in (0, 1)");
    if (problems.empty()) return;
    std::string message = "bad model shape: ";
    for (size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
    throw Error(message);
}

std::string params_string(const Options& o, const std::string& format) {
    const Shape& s = o.shape;
    std::ostringstream out;
    out << "generator=" << kGeneratorVersion << " format=" << format << " type=" << o.type.name
        << " seed=" << o.seed << " layers=" << s.layers << " dim=" << s.dim << " heads=" << s.heads
        << " kv_heads=" << s.kv_heads << " ffn=" << s.ffn << " vocab=" << s.vocab
        << " context=" << s.context << " rope_theta=" << s.rope_theta << " rms_eps=" << s.rms_eps
        << " tied=" << (s.tied ? 1 : 0) << " name=" << model_name(o);
    return out.str();
}

std::vector<std::pair<std::string, std::vector<int64_t>>> tensor_list(const Shape& s) {
    const int64_t head_dim = s.dim / s.heads;
    const int64_t kv = int64_t(s.kv_heads) * head_dim;
    std::vector<std::pair<std::string, std::vector<int64_t>>> out;
    out.push_back({"token_embd.weight", {s.vocab, s.dim}});  // [vocab, dim]
    for (int l = 0; l < s.layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        out.push_back({b + "attn_norm.weight", {s.dim}});
        out.push_back({b + "attn_q.weight", {s.dim, s.dim}});  // [heads * head_dim, dim]
        out.push_back({b + "attn_q.bias", {s.dim}});
        out.push_back({b + "attn_k.weight", {kv, s.dim}});  // [kv_heads * head_dim, dim]
        out.push_back({b + "attn_k.bias", {kv}});
        out.push_back({b + "attn_v.weight", {kv, s.dim}});
        out.push_back({b + "attn_v.bias", {kv}});
        out.push_back({b + "attn_output.weight", {s.dim, s.dim}});
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
                                 const std::vector<int64_t>& shape) {
    const int64_t cols = shape.empty() ? 1 : shape.back();
    const int64_t rows = elements(shape) / cols;
    std::vector<float> out(size_t(rows * cols));
    const uint64_t h = hash_name(name);
    for (int64_t r = 0; r < rows; ++r) row_values(seed, name, h, r, cols, &out[size_t(r * cols)]);
    return out;
}

Written write_gguf(const Options& o, const SynthVocab& vocab, const std::string& path) {
    check_shape(o.shape);
    const Shape& s = o.shape;
    if (vocab.rows != s.vocab) throw Error("the vocabulary does not match the shape's rows");
    GgufWriter w;
    w.set("general.architecture", gv::str("qwen2"));
    w.set("general.type", gv::str("model"));
    w.set("general.name", gv::str(model_name(o)));
    w.set("general.description",
          gv::str("Seeded random weights made by qwen-edge-synth, for testing: output is noise."));
    w.set("general.license", gv::str("apache-2.0"));
    w.set("qwen2.block_count", gv::u32(uint32_t(s.layers)));
    w.set("qwen2.context_length", gv::u32(uint32_t(s.context)));
    w.set("qwen2.embedding_length", gv::u32(uint32_t(s.dim)));
    w.set("qwen2.feed_forward_length", gv::u32(uint32_t(s.ffn)));
    w.set("qwen2.attention.head_count", gv::u32(uint32_t(s.heads)));
    w.set("qwen2.attention.head_count_kv", gv::u32(uint32_t(s.kv_heads)));
    w.set("qwen2.rope.freq_base", gv::f32(s.rope_theta));
    w.set("qwen2.attention.layer_norm_rms_epsilon", gv::f32(s.rms_eps));
    w.set("general.file_type", gv::u32(uint32_t(o.type.id)));
    w.set("general.quantization_version", gv::u32(2));
    w.set("tokenizer.ggml.model", gv::str("gpt2"));
    w.set("tokenizer.ggml.pre", gv::str("qwen2"));
    w.set("tokenizer.ggml.tokens", gv::strings(vocab.tokens));
    w.set("tokenizer.ggml.token_type", gv::i32s(vocab.token_types));
    w.set("tokenizer.ggml.merges", gv::strings(vocab.merges));
    w.set("tokenizer.ggml.eos_token_id", gv::u32(uint32_t(vocab.im_end_id)));
    w.set("tokenizer.ggml.padding_token_id", gv::u32(uint32_t(vocab.endoftext_id)));
    w.set("tokenizer.ggml.bos_token_id", gv::u32(uint32_t(vocab.endoftext_id)));
    w.set("tokenizer.ggml.add_bos_token", gv::boolean(false));
    w.set("tokenizer.chat_template", gv::str(kQwen25ChatTemplate));
    w.set("qwen_edge.synth.params", gv::str(params_string(o, "gguf")));

    const TensorContext ctx{s.layers, s.heads, s.kv_heads, !s.tied};
    Written written;
    for (const auto& [name, shape] : tensor_list(s)) {
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

Written write_hf(const Options& o, const SynthVocab& vocab, const std::string& folder) {
    check_shape(o.shape);
    const Shape& s = o.shape;
    if (vocab.rows != s.vocab) throw Error("the vocabulary does not match the shape's rows");
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
    for (const auto& [name, shape] : tensor_list(s)) {
        st.add_tensor(hf_name_from_gguf(name).value(), t, shape,
                      [seed = o.seed, name = name, shape = shape, t](std::vector<uint8_t>& out) {
                          encode_tensor(seed, name, shape, t, out);
                      });
        written.bytes += size_t(elements(shape)) * dtype_info(t).block_bytes;
        ++written.tensors;
    }

    const char* torch_dtype = t == DType::BF16  ? "bfloat16"
                              : t == DType::F16 ? "float16"
                                                : "float32";
    write_json(dir / "config.json", {{"architectures", {"Qwen2ForCausalLM"}},
                                     {"attention_dropout", 0.0},
                                     {"bos_token_id", vocab.endoftext_id},
                                     {"eos_token_id", vocab.im_end_id},
                                     {"hidden_act", "silu"},
                                     {"hidden_size", s.dim},
                                     {"initializer_range", 0.02},
                                     {"intermediate_size", s.ffn},
                                     {"max_position_embeddings", s.context},
                                     {"max_window_layers", s.layers},
                                     {"model_type", "qwen2"},
                                     {"num_attention_heads", s.heads},
                                     {"num_hidden_layers", s.layers},
                                     {"num_key_value_heads", s.kv_heads},
                                     {"rms_norm_eps", double(s.rms_eps)},
                                     {"rope_theta", double(s.rope_theta)},
                                     {"sliding_window", s.context},
                                     {"tie_word_embeddings", s.tied},
                                     {"torch_dtype", torch_dtype},
                                     {"use_cache", true},
                                     {"use_sliding_window", false},
                                     {"vocab_size", s.vocab},
                                     {"qwen_edge_synth", params_string(o, "hf")}});
    write_json(dir / "generation_config.json",
               {{"bos_token_id", vocab.endoftext_id},
                {"pad_token_id", vocab.endoftext_id},
                {"do_sample", true},
                {"eos_token_id", {vocab.im_end_id, vocab.endoftext_id}},
                {"repetition_penalty", 1.1},
                {"temperature", 0.7},
                {"top_p", 0.8},
                {"top_k", 20}});
    write_json(dir / "tokenizer.json", vocab.tokenizer_json);

    nlohmann::json decoder = nlohmann::json::object();
    nlohmann::json additional = nlohmann::json::array();
    for (const auto& a : vocab.added) {
        decoder[std::to_string(a.id)] = {{"content", a.content}, {"lstrip", false},
                                         {"normalized", false},  {"rstrip", false},
                                         {"single_word", false}, {"special", a.special}};
        if (a.special && a.content != "<|endoftext|>") additional.push_back(a.content);
    }
    write_json(dir / "tokenizer_config.json", {{"add_bos_token", false},
                                               {"add_prefix_space", false},
                                               {"added_tokens_decoder", decoder},
                                               {"additional_special_tokens", additional},
                                               {"bos_token", nullptr},
                                               {"chat_template", kQwen25ChatTemplate},
                                               {"clean_up_tokenization_spaces", false},
                                               {"eos_token", "<|im_end|>"},
                                               {"errors", "replace"},
                                               {"model_max_length", 131072},
                                               {"pad_token", "<|endoftext|>"},
                                               {"split_special_tokens", false},
                                               {"tokenizer_class", "Qwen2Tokenizer"},
                                               {"unk_token", nullptr}});
    // Last, and atomically: a folder with model.safetensors is complete.
    st.write_file((dir / "model.safetensors").string());
    return written;
}

}  // namespace qe::synth
