// One model on disk, whatever its format: a GGUF file, or a Hugging Face folder (config.json +
// model.safetensors or shards listed in model.safetensors.index.json). It owns the memory
// mappings, gives the validated ModelConfig and every tensor under GGUF's names
// (token_embd.weight, blk.N.attn_q.weight, ...), and a validating accessor for the engine.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/mapped_file.h"
#include "core/tensor.h"
#include "io/gguf.h"
#include "model/config.h"

namespace qe {

enum class ModelFormat { Gguf, HfFolder };

class ModelFile {
  public:
    // `path` is a .gguf file or a Hugging Face model folder. Throws qe::Error naming the file,
    // what is wrong and where, for anything from a missing file to an inconsistent config.
    static ModelFile open(const std::string& path);

    ModelFile(ModelFile&&) noexcept = default;
    ModelFile& operator=(ModelFile&&) noexcept = default;

    ModelFormat format() const { return format_; }
    const std::string& path() const { return path_; }
    const ModelConfig& config() const { return config_; }

    // Every tensor, GGUF names, in file order. With tied embeddings there is no output.weight.
    const std::vector<TensorView>& tensors() const { return tensors_; }
    const TensorView* find(std::string_view name) const;

    // The tensor `name`, checked to have one of `dtypes` (any when empty) and exactly `shape`
    // (outermost first); throws qe::Error saying expected vs actual otherwise.
    const TensorView& get(std::string_view name, const std::vector<DType>& dtypes,
                          const std::vector<int64_t>& shape) const;

    // The raw GGUF metadata (tokenizer.ggml.*, chat template); nullptr for a Hugging Face folder.
    const GgufFile* gguf() const { return gguf_ ? &*gguf_ : nullptr; }
    // The Hugging Face folder (holding tokenizer.json); empty for a GGUF file.
    const std::filesystem::path& hf_folder() const { return hf_folder_; }

    int64_t parameter_count() const;  // elements of every tensor
    uint64_t weight_bytes() const;    // bytes of every tensor
    uint64_t file_bytes() const;      // bytes of every mapped file

    // Ask the kernel to read every mapped file ahead (best effort).
    void prefetch() const;

  private:
    ModelFile() = default;
    void open_gguf(const std::string& path);
    void open_hf(const std::filesystem::path& folder);
    void add_safetensors(const std::filesystem::path& file,
                         const std::map<std::string, std::string, std::less<>>* expected);
    void index_tensors();

    ModelFormat format_ = ModelFormat::Gguf;
    std::string path_;
    ModelConfig config_;
    std::vector<MappedFile> mappings_;
    std::optional<GgufFile> gguf_;
    std::filesystem::path hf_folder_;
    std::vector<TensorView> tensors_;
    std::map<std::string, size_t, std::less<>> by_name_;
    // Copies of tensors whose data was not aligned to their element size in the file (a
    // safetensors header of odd length); 8-byte words keep the copies aligned.
    std::vector<std::vector<uint64_t>> aligned_copies_;
};

// "[896, 4864]"
std::string shape_string(const std::vector<int64_t>& shape);

}  // namespace qe
