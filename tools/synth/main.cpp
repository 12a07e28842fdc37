// qwen-edge-synth: writes a Qwen2 model with seeded random weights (a developer tool for tests and
// benchmarks; its output is noise).
//   qwen-edge-synth --out m.gguf --type q4_k_m                      the Qwen2.5-0.5B shape
//   qwen-edge-synth --out tiny.gguf --layers 2 --dim 448 --ffn 512 --vocab 3872 --type f32
//   qwen-edge-synth --out folder --format hf                        BF16 safetensors folder
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>

#include "core/error.h"
#include "synth/synth_model.h"

namespace {

std::string join(const std::vector<std::string>& items) {
    std::string s;
    for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace qe::synth;
    CLI::App app{
        "qwen-edge-synth: write a Qwen2 model with seeded random weights (output is noise)"};
    Shape shape = qwen25_05b();
    std::string out, format = "gguf", type = "f16", preset, tokenizer = QE_DEFAULT_TOKENIZER_JSON,
                     name;
    uint64_t seed = 1;
    bool untied = false;
    app.add_option("-o,--out", out, "output: a .gguf file, or a folder with --format hf")
        ->required();
    app.add_option("--format", format, "gguf or hf (a Hugging Face folder, BF16 safetensors)")
        ->check(CLI::IsMember({"gguf", "hf"}));
    app.add_option(
        "--type", type,
        "tensor type: " + join(file_type_names()) + " (default f16; bf16 for --format hf)");
    app.add_option("--preset", preset,
                   "qwen2.5-0.5b: 24 layers, hidden 896, 14/2 heads, ffn "
                   "4864, vocab 151936, tied (also the default shape)")
        ->check(CLI::IsMember({"qwen2.5-0.5b"}));
    app.add_option("--layers", shape.layers, "transformer blocks");
    app.add_option("--dim", shape.dim, "hidden size");
    app.add_option("--heads", shape.heads, "query heads");
    app.add_option("--kv-heads", shape.kv_heads, "key/value heads");
    app.add_option("--ffn", shape.ffn, "feed-forward (intermediate) size");
    app.add_option("--vocab", shape.vocab,
                   "embedding rows: the first tokens of the Qwen vocabulary, its 22 added tokens, "
                   "then padding");
    app.add_option("--context", shape.context, "context length");
    app.add_option("--rope-theta", shape.rope_theta, "RoPE base frequency");
    app.add_option("--rms-eps", shape.rms_eps, "RMSNorm epsilon");
    app.add_flag("--untied", untied, "a separate output head instead of tied embeddings");
    app.add_option("--seed", seed, "random seed (same seed, same weights in every format)");
    app.add_option("--tokenizer", tokenizer, "the Qwen tokenizer.json to take the vocabulary from");
    app.add_option("--name", name, "general.name (default: says random weights)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }
    shape.tied = !untied;
    if (format == "hf" && !app.count("--type")) type = "bf16";

    Options o;
    o.shape = shape;
    o.seed = seed;
    o.tokenizer_json = tokenizer;
    o.name = name;
    const auto ft = parse_file_type(type);
    if (!ft) {
        std::fprintf(stderr, "qwen-edge-synth: unknown --type %s (known: %s)\n", type.c_str(),
                     join(file_type_names()).c_str());
        return 2;
    }
    o.type = *ft;
    if (format == "hf" && o.type.base != qe::DType::BF16 && o.type.base != qe::DType::F16 &&
        o.type.base != qe::DType::F32) {
        std::fprintf(stderr, "qwen-edge-synth: --format hf takes --type bf16, f16 or f32\n");
        return 2;
    }
    try {
        check_shape(o.shape);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "qwen-edge-synth: %s\n", e.what());
        return 2;
    }
    try {
        const auto start = std::chrono::steady_clock::now();
        const SynthVocab vocab = build_vocab(o.tokenizer_json, o.shape.vocab);
        const Written w = format == "gguf" ? write_gguf(o, vocab, out) : write_hf(o, vocab, out);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("wrote %s: %zu tensors, %.1f MiB of %s weights in %.1f s\n", out.c_str(),
                    w.tensors, double(w.bytes) / (1 << 20), o.type.name.c_str(), seconds);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "qwen-edge-synth: error: %s\n", e.what());
        return 1;
    }
}
