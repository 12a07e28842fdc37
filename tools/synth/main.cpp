// qwen-edge-synth: writes a Qwen2, Qwen3 or Qwen3.5 model with seeded random weights (a developer
// tool for tests and benchmarks; its output is noise).
//   qwen-edge-synth --out m.gguf --type q4_k_m                      the Qwen2.5-0.5B shape
//   qwen-edge-synth --out m.gguf --preset qwen3-0.6b --type q8_0    the Qwen3-0.6B shape
//   qwen-edge-synth --out tiny.gguf --layers 2 --dim 448 --ffn 512 --vocab 3872 --type f32
//   qwen-edge-synth --out q3.gguf --arch qwen3 --layers 2 --dim 512 --heads 8 --kv-heads 4
//                   --ffn 1024 --vocab 3872                          Qwen3, head dim 128
//   qwen-edge-synth --out folder --format hf                        BF16 safetensors folder
//   qwen-edge-synth --out q35.gguf --preset qwen3.5-0.8b --type q8_0  the Qwen3.5-0.8B shape
//   qwen-edge-synth --out q35-hf --preset qwen3.5-0.8b --format hf     its Hugging Face folder
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
        "qwen-edge-synth: write a Qwen2, Qwen3 or Qwen3.5 model with seeded random weights "
        "(output is noise)"};
    Shape shape;  // only the options given are taken from it, over the preset's shape
    std::string out, format = "gguf", type = "f16", preset, arch,
                     tokenizer = QE_DEFAULT_TOKENIZER_JSON, name;
    uint64_t seed = 1;
    bool untied = false, rerank_head = false;
    app.add_option("-o,--out", out, "output: a .gguf file, or a folder with --format hf")
        ->required();
    app.add_option("--format", format,
                   "gguf or hf (a Hugging Face folder, BF16 safetensors; for qwen35 laid out as "
                   "Qwen3.5's official folders)")
        ->check(CLI::IsMember({"gguf", "hf"}));
    app.add_option(
        "--type", type,
        "tensor type: " + join(file_type_names()) + " (default f16; bf16 for --format hf)");
    app.add_option("--preset", preset,
                   "the shape to start from: qwen2.5-0.5b (24 layers, hidden 896, 14/2 heads, ffn "
                   "4864; the default), qwen2.5-1.5b (28, 1536, 12/2 heads, ffn 8960), qwen3-0.6b "
                   "(28, 1024, 16/8 heads of 128, ffn 3072; the "
                   "default with --arch qwen3), qwen3-1.7b (28, 2048, 16/8 x 128, 6144), qwen3-4b "
                   "(36, 2560, 32/8 x 128, 9728); all vocab 151936, tied; qwen3.5-0.8b (24 "
                   "layers, 3 Gated DeltaNet : 1 attention, hidden 1024, 8/2 heads of 256, 16 "
                   "DeltaNet heads of 128, ffn 3584; the default with --arch qwen35), qwen3.5-2b "
                   "(hidden 2048, ffn 6144); both vocab 248320 (Qwen3's tokens, padded)")
        ->check(CLI::IsMember(preset_names()));
    app.add_option("--arch", arch,
                   "qwen2 (QKV biases, head dim = dim / heads), qwen3 (q/k norms, head dim "
                   "stated, no biases) or qwen35 (hybrid Gated DeltaNet); default: the preset's")
        ->check(CLI::IsMember({"qwen2", "qwen3", "qwen35"}));
    app.add_option("--layers", shape.layers, "transformer blocks");
    app.add_option("--dim", shape.dim, "hidden size");
    app.add_option("--heads", shape.heads, "query heads");
    app.add_option("--kv-heads", shape.kv_heads, "key/value heads");
    app.add_option("--head-dim", shape.head_dim,
                   "head size (qwen3; 0: dim / heads, which is all qwen2 allows)");
    app.add_option("--ffn", shape.ffn, "feed-forward (intermediate) size");
    app.add_option("--vocab", shape.vocab,
                   "embedding rows: the first tokens of the Qwen vocabulary, its added tokens (22 "
                   "for qwen2, 26 for qwen3 and qwen35), then padding");
    app.add_option("--context", shape.context, "context length");
    app.add_option("--rope-theta", shape.rope_theta, "RoPE base frequency");
    app.add_option("--rms-eps", shape.rms_eps, "RMSNorm epsilon");
    app.add_flag("--untied", untied, "a separate output head instead of tied embeddings");
    app.add_flag("--rerank-head", rerank_head,
                 "qwen3 GGUF: a Qwen3-Reranker as llama.cpp converts it (pooling rank, a 2-row "
                 "cls.output head of the yes/no rows; vocab >= 9856 to hold them)");
    app.add_option("--seed", seed, "random seed (same seed, same weights in every format)");
    app.add_option("--tokenizer", tokenizer, "the Qwen tokenizer.json to take the vocabulary from");
    app.add_option("--name", name, "general.name (default: says random weights)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }
    if (format == "hf" && !app.count("--type")) type = "bf16";

    // The preset's shape (or the architecture's default one), then the options given.
    if (preset.empty())
        preset = arch == "qwen35"  ? "qwen3.5-0.8b"
                 : arch == "qwen3" ? "qwen3-0.6b"
                                   : "qwen2.5-0.5b";
    Shape chosen = preset_shape(preset).value();
    if (!arch.empty() && parse_arch(arch) != chosen.arch) {
        std::fprintf(stderr, "qwen-edge-synth: --preset %s is %s, not --arch %s\n", preset.c_str(),
                     std::string(arch_name(chosen.arch)).c_str(), arch.c_str());
        return 2;
    }
    auto take = [&](const char* option, auto member) {
        if (app.count(option)) chosen.*member = shape.*member;
    };
    take("--layers", &Shape::layers);
    take("--dim", &Shape::dim);
    take("--heads", &Shape::heads);
    take("--kv-heads", &Shape::kv_heads);
    take("--head-dim", &Shape::head_dim);
    take("--ffn", &Shape::ffn);
    take("--vocab", &Shape::vocab);
    take("--context", &Shape::context);
    take("--rope-theta", &Shape::rope_theta);
    take("--rms-eps", &Shape::rms_eps);
    if (untied) chosen.tied = false;

    Options o;
    o.shape = chosen;
    o.seed = seed;
    o.tokenizer_json = tokenizer;
    o.name = name;
    o.rerank_head = rerank_head;
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
        const SynthVocab vocab =
            build_vocab(o.tokenizer_json, o.shape.vocab, added_tokens(o.shape.arch));
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
