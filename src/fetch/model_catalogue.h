// The models qwen-edge knows by name: one row per model with its GGUF repositories on Hugging Face
// and ModelScope, the file of each quantization they publish, and what a chat needs to know of it
// (its kind, whether it thinks and whether a chat starts with thinking on). `pull`, `list` and
// `--model NAME` read it; so does the server for a served file that is one of its files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qe::fetch {

enum class ModelKind { kChat, kEmbedding, kRerank };

// "chat", "embedding", "rerank".
const char* kind_name(ModelKind kind);

// One quantization a repository publishes.
struct QuantFile {
    std::string quant;  // lower case, as in the file name: "q8_0", "q4_k_m", "fp16", "f16"
    std::string file;   // "qwen2.5-1.5b-instruct-q8_0.gguf"; of a split file, its first part
    int parts = 1;      // more than 1: published split in that many files, which qwen-edge does
                        // not load as one model
};

struct CatalogueEntry {
    std::string family;        // "qwen3"; the short name is family:size
    std::string size;          // "0.6b"
    std::string display_name;  // "Qwen3-0.6B"
    ModelKind kind = ModelKind::kChat;
    uint64_t parameters = 0;        // as the model card gives it (embeddings included)
    std::string hf_repo;            // "Qwen/Qwen3-0.6B-GGUF"
    std::string modelscope_repo;    // the same model on ModelScope; "" when it has none
    std::vector<QuantFile> quants;  // every quantization the repository publishes
    std::string default_quant;      // what `pull NAME` downloads: a file published whole
    bool thinks = false;            // its chat template has the enable_thinking switch
    bool thinking_default = false;  // a new chat starts with thinking on

    std::string short_name() const { return family + ":" + size; }  // "qwen3:0.6b"
    // The quantization named `quant` (any case; "f16" and "fp16" are the same), or nullptr.
    const QuantFile* find_quant(const std::string& quant) const;
    // "q8_0, q4_0, ..." in table order.
    std::string quant_names() const;
    // The quantizations published whole, which qwen-edge can load.
    std::string whole_quant_names() const;
};

// Every entry, smallest first within each family.
const std::vector<CatalogueEntry>& model_catalogue();

// The model qwen-edge runs when none is named: Qwen2.5-0.5B-Instruct.
const CatalogueEntry& default_catalogue_entry();

// The entry one of whose files is the file at `path` (its file name compared, any case), or
// nullptr.
const CatalogueEntry* catalogue_entry_of_file(const std::string& path);

// The entry whose Hugging Face repository is `repo` (any case), or nullptr.
const CatalogueEntry* catalogue_entry_of_repo(const std::string& repo);

// "qwen2.5:0.5b, qwen2.5:1.5b, ...": every short name, for messages.
std::string catalogue_short_names();

}  // namespace qe::fetch
