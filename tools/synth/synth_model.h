// Synthetic Qwen2 and Qwen3 models: seeded random weights for any shape, written as a GGUF file of
// any type or as a Hugging Face folder with BF16 safetensors, laid out as llama.cpp's converter and
// Hugging Face write the real models, carrying the real tokenizer and the official chat template
// the way Qwen's own files do. Output is noise: the files say so in their names.
//
// Qwen3 differs from Qwen2 by: architecture `qwen3` (keys qwen3.*), a head size stated in the file
// (qwen3.attention.key_length / value_length; 128 in every real size, independent of hidden /
// heads), no Q/K/V biases, per-head RMSNorms of Q and K (blk.N.attn_q_norm / attn_k_norm, [head
// size]), Qwen3's 26 added tokens (Qwen2.5 has the first 22) and its own chat template.
//
// Qwen3.5 (`qwen35`) is a hybrid: every full_attention_interval-th layer is gated
// full attention (attn_q holding per head [query | output gate], q/k norms, rotary over the first
// rope_dims of each head), the others Gated DeltaNet layers (attn_qkv, attn_gate, ssm_*), with
// tensor names, shapes and keys as llama.cpp's converter writes them; the vocabulary is Qwen3's
// (the real 248k one is not at hand) padded to the real row count, pre-tokenizer "qwen35".
// Its Hugging Face folder is laid out as Qwen/Qwen3.5-0.8B's (Qwen3_5ForConditionalGeneration:
// config.json with the text model's keys in text_config, tensors under model.language_model.,
// the DeltaNet's linear_attn.* modules, zero-centred norms, A_log; see model/hf_qwen35.h), so
// that reading it must undo exactly what llama.cpp's converter does; it has no vision tower and
// no multi-token-prediction block (their keys are in config.json, their tensors are not).
//
// The same seed gives the same weights in every output: values are drawn per tensor and row from
// a seeded generator and rounded to bfloat16, so a BF16 safetensors folder and an F32 or BF16
// GGUF hold exactly the same numbers (and give the same logits).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "synth/quant_plan.h"
#include "synth/synth_vocab.h"

namespace qe::synth {

enum class Arch { kQwen2, kQwen3, kQwen35 };

std::string_view arch_name(Arch a);  // "qwen2", "qwen3", "qwen35": general.architecture
std::optional<Arch> parse_arch(std::string_view name);  // nullopt for other names

struct Shape {
    Arch arch = Arch::kQwen2;
    int layers = 24;
    int dim = 896;
    int heads = 14;
    int kv_heads = 2;
    int head_dim = 0;  // 0: dim / heads (always so for Qwen2; Qwen3 files state it)
    int ffn = 4864;
    int vocab = 151936;  // embedding rows
    int context = 32768;
    float rope_theta = 1e6f;
    float rms_eps = 1e-6f;
    bool tied = true;
    // Qwen3.5 only: the DeltaNet layers (key heads = value heads, as in the small models), the
    // layer pattern and the rotated dims of the attention heads.
    int delta_heads = 16;
    int delta_head_dim = 128;
    int conv_kernel = 4;
    int attention_interval = 4;
    int rope_dims = 64;
};

// The head size: head_dim, or dim / heads when it is 0.
int head_size(const Shape& s);

// Added tokens of the architecture's tokenizer: 22 for Qwen2.5, 26 for Qwen3 (and Qwen3.5's
// stand-in vocabulary).
int added_tokens(Arch a);

// The exact shape of Qwen2.5-0.5B-Instruct.
Shape qwen25_05b();
// The exact shape of Qwen2.5-1.5B-Instruct (28 layers, hidden 1536, 12 / 2 heads of 128, FFN 8960).
Shape qwen25_15b();
// The exact shapes of Qwen3-0.6B, 1.7B and 4B (all tied, head size 128, context 40960).
Shape qwen3_06b();
Shape qwen3_17b();
Shape qwen3_4b();
// The exact shapes of Qwen3.5-0.8B and 2B (24 layers, 3 DeltaNet : 1 attention, 16 DeltaNet
// heads of 128, attention 8 / 2 heads of 256, 248,320 rows, context 262144, tied).
Shape qwen35_08b();
Shape qwen35_2b();

// "qwen2.5-0.5b", "qwen2.5-1.5b", "qwen3-0.6b", "qwen3-1.7b", "qwen3-4b", "qwen3.5-0.8b",
// "qwen3.5-2b"; nullopt for other names.
std::optional<Shape> preset_shape(std::string_view name);
std::vector<std::string> preset_names();

struct Options {
    Shape shape;
    uint64_t seed = 1;
    FileType type;               // GGUF: any; Hugging Face: f32, f16 or bf16
    std::string tokenizer_json;  // path of the source tokenizer.json
    std::string name;            // general.name; empty: made from the shape
    // GGUF, qwen3 only: llama.cpp's reranker conversion (Qwen3-Reranker): pooling_type 4 (rank),
    // classifier labels ["yes", "no"], a `tokenizer.chat_template.rerank`, and in place of the
    // output head a 2-row cls.output.weight holding its rows of the "yes" and "no" tokens (the
    // same bytes: a reranker of the full-head form scores alike).
    bool rerank_head = false;
};

// Checks the shape (heads divide dim, head size even, a Qwen2 head size of dim / heads, ...);
// throws qe::Error listing problems.
void check_shape(const Shape& s);

// A canonical one-line description of everything that decides the output: two files made with the
// same string hold the same bytes. Stored in each file as qwen_edge.synth.params.
std::string params_string(const Options& o, const std::string& format);

// Every tensor of the model: GGUF name and shape (outermost first), in file order.
std::vector<std::pair<std::string, std::vector<int64_t>>> tensor_list(const Shape& s);

// Which form a tensor's values take: the GGUF's, or a Qwen3.5 Hugging Face folder's (norms
// without the converter's + 1, A_log where the GGUF has ssm_a = -exp(A_log)).
enum class ValueForm { kGguf, kHf };

// The values of one tensor named as in GGUF (row-major, outermost first), rounded to bfloat16
// (but for the GGUF's ssm_a, computed in float32 from a bfloat16 A_log).
std::vector<float> tensor_values(uint64_t seed, const std::string& name,
                                 const std::vector<int64_t>& shape,
                                 ValueForm form = ValueForm::kGguf);

// A float as config.json writes it: the shortest decimal that reads back as the same float (1e-06,
// not the 9.999999974752427e-07 of widening it to double).
double json_decimal(float f);

struct Written {
    size_t tensors = 0;
    uint64_t bytes = 0;
};

Written write_gguf(const Options& o, const SynthVocab& vocab, const std::string& path);
Written write_hf(const Options& o, const SynthVocab& vocab, const std::string& folder);

// The Hugging Face name of a GGUF tensor name of the shape's architecture (Qwen3's q/k norms
// included; Qwen3.5's under model.language_model.).
std::string hf_tensor_name(const std::string& gguf_name, Arch arch = Arch::kQwen2);

// The official chat templates (Apache-2.0, from Qwen), embedded at build time: Qwen2.5-Instruct's,
// Qwen3's, Qwen3.5's, and the one of the shape's architecture.
extern const char* const kQwen25ChatTemplate;
extern const char* const kQwen3ChatTemplate;
extern const char* const kQwen35ChatTemplate;
const char* chat_template(Arch a);

}  // namespace qe::synth
