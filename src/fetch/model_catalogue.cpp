#include "fetch/model_catalogue.h"

#include <cstdio>
#include <filesystem>

#include "fetch/ascii.h"

namespace qe::fetch {

namespace {

// "f16" and "fp16" name the same thing; repositories spell it either way.
std::string canonical_quant(const std::string& quant) {
    const std::string q = ascii_lower(quant);
    return q == "fp16" ? "f16" : q;
}

// "<stem>-<quant>.gguf" for each quantization: how the Qwen2.5 repositories name their files.
std::vector<QuantFile> lower_case_files(const std::string& stem,
                                        const std::vector<std::string>& quants) {
    std::vector<QuantFile> files;
    for (const auto& q : quants) files.push_back({q, stem + "-" + q + ".gguf"});
    return files;
}

// A quantization published in parts: "<stem>-<quant>-00001-of-0000N.gguf" is its first.
QuantFile split_file(const std::string& stem, const std::string& quant, int parts) {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, "-00001-of-%05d.gguf", parts);
    return {quant, stem + "-" + quant + suffix, parts};
}

std::vector<QuantFile> operator+(std::vector<QuantFile> a, const std::vector<QuantFile>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// The nine quantizations every Qwen2.5 GGUF repository publishes, in the order `pull` has always
// listed them.
const std::vector<std::string> kQwen25Quants = {"q8_0", "q4_0",   "q4_k_m", "q5_0", "q5_k_m",
                                                "q6_k", "q3_k_m", "q2_k",   "fp16"};

std::vector<CatalogueEntry> make_catalogue() {
    using K = ModelKind;
    // Sources. Repositories: the Qwen organisation's GGUF repositories on Hugging Face, which
    // ModelScope mirrors under the same names (Qwen/...). Qwen publishes no GGUF of
    // Qwen3-Reranker; ggml-org's conversion (made with llama.cpp's GGUF-my-repo) is the widely
    // used one, and it has no ModelScope copy. Files and quantizations: each repository's file
    // listing on Hugging Face. Parameter counts: the model cards.
    // Default quantizations: Q8_0 up to 1B parameters (small models lose quality quickly), Q4_K_M
    // above (half the memory traffic, so about twice the speed on a CPU), and for 7B the largest
    // file published whole. Thinking starts off for the models under 2B parameters, where a
    // long thought delays the answer most.
    // clang-format off
    return {
        {"qwen2.5", "0.5b", "Qwen2.5-0.5B-Instruct", K::kChat, 494'000'000,
         "Qwen/Qwen2.5-0.5B-Instruct-GGUF", "Qwen/Qwen2.5-0.5B-Instruct-GGUF",
         lower_case_files("qwen2.5-0.5b-instruct", kQwen25Quants), "q8_0", false, false},
        {"qwen2.5", "1.5b", "Qwen2.5-1.5B-Instruct", K::kChat, 1'540'000'000,
         "Qwen/Qwen2.5-1.5B-Instruct-GGUF", "Qwen/Qwen2.5-1.5B-Instruct-GGUF",
         lower_case_files("qwen2.5-1.5b-instruct", kQwen25Quants), "q4_k_m", false, false},
        // The 3B repository splits its FP16 file in two.
        {"qwen2.5", "3b", "Qwen2.5-3B-Instruct", K::kChat, 3'090'000'000,
         "Qwen/Qwen2.5-3B-Instruct-GGUF", "Qwen/Qwen2.5-3B-Instruct-GGUF",
         lower_case_files("qwen2.5-3b-instruct", {"q8_0", "q4_0", "q4_k_m", "q5_0", "q5_k_m",
                                                  "q6_k", "q3_k_m", "q2_k"}) +
             std::vector<QuantFile>{split_file("qwen2.5-3b-instruct", "fp16", 2)},
         "q4_k_m", false, false},
        // The 7B repository splits every file above 4 GB: only Q3_K_M and Q2_K are whole.
        {"qwen2.5", "7b", "Qwen2.5-7B-Instruct", K::kChat, 7'610'000'000,
         "Qwen/Qwen2.5-7B-Instruct-GGUF", "Qwen/Qwen2.5-7B-Instruct-GGUF",
         std::vector<QuantFile>{split_file("qwen2.5-7b-instruct", "q8_0", 3),
                                split_file("qwen2.5-7b-instruct", "q4_0", 2),
                                split_file("qwen2.5-7b-instruct", "q4_k_m", 2),
                                split_file("qwen2.5-7b-instruct", "q5_0", 2),
                                split_file("qwen2.5-7b-instruct", "q5_k_m", 2),
                                split_file("qwen2.5-7b-instruct", "q6_k", 2)} +
             lower_case_files("qwen2.5-7b-instruct", {"q3_k_m", "q2_k"}) +
             std::vector<QuantFile>{split_file("qwen2.5-7b-instruct", "fp16", 4)},
         "q3_k_m", false, false},
        {"qwen2.5-coder", "0.5b", "Qwen2.5-Coder-0.5B-Instruct", K::kChat, 494'000'000,
         "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF", "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
         lower_case_files("qwen2.5-coder-0.5b-instruct", kQwen25Quants), "q8_0", false, false},
        {"qwen2.5-coder", "1.5b", "Qwen2.5-Coder-1.5B-Instruct", K::kChat, 1'540'000'000,
         "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF", "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
         lower_case_files("qwen2.5-coder-1.5b-instruct", kQwen25Quants), "q4_k_m", false, false},
        // Qwen3's repositories name files "<Model>-<QUANT>.gguf"; the 0.6B and 1.7B ones hold
        // Q8_0 alone.
        {"qwen3", "0.6b", "Qwen3-0.6B", K::kChat, 600'000'000,
         "Qwen/Qwen3-0.6B-GGUF", "Qwen/Qwen3-0.6B-GGUF",
         {{"q8_0", "Qwen3-0.6B-Q8_0.gguf"}}, "q8_0", true, false},
        {"qwen3", "1.7b", "Qwen3-1.7B", K::kChat, 1'700'000'000,
         "Qwen/Qwen3-1.7B-GGUF", "Qwen/Qwen3-1.7B-GGUF",
         {{"q8_0", "Qwen3-1.7B-Q8_0.gguf"}}, "q8_0", true, false},
        {"qwen3", "4b", "Qwen3-4B", K::kChat, 4'000'000'000,
         "Qwen/Qwen3-4B-GGUF", "Qwen/Qwen3-4B-GGUF",
         {{"q4_k_m", "Qwen3-4B-Q4_K_M.gguf"}, {"q5_0", "Qwen3-4B-Q5_0.gguf"},
          {"q5_k_m", "Qwen3-4B-Q5_K_M.gguf"}, {"q6_k", "Qwen3-4B-Q6_K.gguf"},
          {"q8_0", "Qwen3-4B-Q8_0.gguf"}},
         "q4_k_m", true, true},
        // Qwen3.5 (hybrid Gated DeltaNet): unsloth's GGUF repositories, the widely used ones,
        // named "<Model>-<QUANT>.gguf"; listed are the whole files of the quantizations checked
        // (the repositories hold more, among them their own "UD" mixes). Thinking starts off, as
        // Qwen ships these sizes.
        {"qwen3.5", "0.8b", "Qwen3.5-0.8B", K::kChat, 800'000'000,
         "unsloth/Qwen3.5-0.8B-GGUF", "",
         {{"q8_0", "Qwen3.5-0.8B-Q8_0.gguf"}, {"q4_0", "Qwen3.5-0.8B-Q4_0.gguf"}},
         "q8_0", true, false},
        {"qwen3.5", "2b", "Qwen3.5-2B", K::kChat, 2'000'000'000,
         "unsloth/Qwen3.5-2B-GGUF", "",
         {{"q4_k_m", "Qwen3.5-2B-Q4_K_M.gguf"}},
         "q4_k_m", true, false},
        {"qwen3-embedding", "0.6b", "Qwen3-Embedding-0.6B", K::kEmbedding, 600'000'000,
         "Qwen/Qwen3-Embedding-0.6B-GGUF", "Qwen/Qwen3-Embedding-0.6B-GGUF",
         {{"q8_0", "Qwen3-Embedding-0.6B-Q8_0.gguf"}, {"f16", "Qwen3-Embedding-0.6B-f16.gguf"}},
         "q8_0", false, false},
        {"qwen3-reranker", "0.6b", "Qwen3-Reranker-0.6B", K::kRerank, 600'000'000,
         "ggml-org/Qwen3-Reranker-0.6B-Q8_0-GGUF", "",
         {{"q8_0", "qwen3-reranker-0.6b-q8_0.gguf"}}, "q8_0", false, false},
    };
    // clang-format on
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

}  // namespace

const char* kind_name(ModelKind kind) {
    switch (kind) {
        case ModelKind::kChat:
            return "chat";
        case ModelKind::kEmbedding:
            return "embedding";
        case ModelKind::kRerank:
            return "rerank";
    }
    return "chat";
}

const QuantFile* CatalogueEntry::find_quant(const std::string& quant) const {
    const std::string q = canonical_quant(quant);
    for (const auto& f : quants) {
        if (canonical_quant(f.quant) == q) return &f;
    }
    return nullptr;
}

std::string CatalogueEntry::quant_names() const {
    std::vector<std::string> names;
    for (const auto& f : quants) names.push_back(f.quant);
    return join(names);
}

std::string CatalogueEntry::whole_quant_names() const {
    std::vector<std::string> names;
    for (const auto& f : quants) {
        if (f.parts == 1) names.push_back(f.quant);
    }
    return join(names);
}

const std::vector<CatalogueEntry>& model_catalogue() {
    static const std::vector<CatalogueEntry> catalogue = make_catalogue();
    return catalogue;
}

const CatalogueEntry& default_catalogue_entry() {
    return model_catalogue().front();
}

const CatalogueEntry* catalogue_entry_of_file(const std::string& path) {
    const std::string name = ascii_lower(std::filesystem::path(path).filename().string());
    for (const auto& e : model_catalogue()) {
        for (const auto& f : e.quants) {
            if (ascii_lower(f.file) == name) return &e;
        }
    }
    return nullptr;
}

const CatalogueEntry* catalogue_entry_of_repo(const std::string& repo) {
    const std::string r = ascii_lower(repo);
    for (const auto& e : model_catalogue()) {
        if (ascii_lower(e.hf_repo) == r) return &e;
    }
    return nullptr;
}

std::string catalogue_short_names() {
    std::vector<std::string> names;
    for (const auto& e : model_catalogue()) names.push_back(e.short_name());
    return join(names);
}

}  // namespace qe::fetch
