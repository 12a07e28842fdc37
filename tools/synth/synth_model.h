// Synthetic Qwen2 models: seeded random weights for any shape, written as a GGUF file of any type
// or as a Hugging Face folder with BF16 safetensors, carrying the real tokenizer and the official
// chat template the way Qwen's own files do. Output is noise: the files say so in their names.
//
// The same seed gives the same weights in every output: values are drawn per tensor and row from
// a seeded generator and rounded to bfloat16, so a BF16 safetensors folder and an F32 or BF16
// GGUF hold exactly the same numbers (and give the same logits).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "synth/quant_plan.h"
#include "synth/synth_vocab.h"

namespace qe::synth {

struct Shape {
    int layers = 24;
    int dim = 896;
    int heads = 14;
    int kv_heads = 2;
    int ffn = 4864;
    int vocab = 151936;  // embedding rows
    int context = 32768;
    float rope_theta = 1e6f;
    float rms_eps = 1e-6f;
    bool tied = true;
};

// The exact shape of Qwen2.5-0.5B-Instruct.
Shape qwen25_05b();

struct Options {
    Shape shape;
    uint64_t seed = 1;
    FileType type;               // GGUF: any; Hugging Face: f32, f16 or bf16
    std::string tokenizer_json;  // path of the source tokenizer.json
    std::string name;            // general.name; empty: made from the shape
};

// Checks the shape (heads divide dim, head size even, ...); throws qe::Error listing problems.
void check_shape(const Shape& s);

// A canonical one-line description of everything that decides the output: two files made with the
// same string hold the same bytes. Stored in each file as qwen_edge.synth.params.
std::string params_string(const Options& o, const std::string& format);

// Every tensor of the model: GGUF name and shape (outermost first), in file order.
std::vector<std::pair<std::string, std::vector<int64_t>>> tensor_list(const Shape& s);

// The values of one tensor (row-major, outermost first), already rounded to bfloat16.
std::vector<float> tensor_values(uint64_t seed, const std::string& name,
                                 const std::vector<int64_t>& shape);

struct Written {
    size_t tensors = 0;
    uint64_t bytes = 0;
};

Written write_gguf(const Options& o, const SynthVocab& vocab, const std::string& path);
Written write_hf(const Options& o, const SynthVocab& vocab, const std::string& folder);

// The official Qwen2.5-Instruct chat template (Apache-2.0, from Qwen), embedded at build time.
extern const char* const kQwen25ChatTemplate;

}  // namespace qe::synth
