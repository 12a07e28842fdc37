#include "model/model_file.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "io/json_file.h"
#include "io/safetensors.h"
#include "model/config_loaders.h"
#include "model/hf_names.h"
#include "model/hf_qwen35.h"

namespace qe {

namespace fs = std::filesystem;

constexpr uint64_t kMaxIndexJsonBytes = 64ull << 20;  // real indexes: tens of KB to a few MB

std::string shape_string(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

namespace {

// The folder's tensors under GGUF's names, and for a hybrid model (Qwen3.5) in GGUF's form.
// Tensors outside the mapping keep their own names: a Qwen3.5 vision tower (model.visual.*) and
// multi-token-prediction block (mtp.*), which the forward pass does not read.
void name_hf_tensors(std::vector<TensorView>& tensors, const ModelConfig& config,
                     OwnedTensorData& owned, const std::string& path) {
    const HfLayout layout =
        config.full_attention_interval > 0 ? HfLayout::Hybrid : HfLayout::Transformer;
    for (TensorView& t : tensors)
        if (auto gguf_name = gguf_name_from_hf(t.name, layout)) t.name = *gguf_name;
    if (layout == HfLayout::Hybrid) qwen35_tensors_from_hf(tensors, config, owned, path);
}

}  // namespace

ModelFile ModelFile::open(const std::string& path) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) throw Error(path + ": no such file or folder");
    ModelFile model;
    model.path_ = path;
    if (fs::is_directory(status)) {
        model.open_hf(path);
    } else {
        model.open_gguf(path);
    }
    model.index_tensors();
    try {
        model.config_.validate();
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
    return model;
}

void ModelFile::open_gguf(const std::string& path) {
    format_ = ModelFormat::Gguf;
    const fs::path p(path);
    if (p.extension() == ".safetensors" || p.extension() == ".json") {
        throw Error(path + ": part of a Hugging Face model: open its folder instead");
    }
    mappings_.emplace_back(path);
    gguf_ = parse_gguf(mappings_.back().bytes(), path);
    tensors_ = gguf_->tensors;
    config_ = config_from_gguf(*gguf_, path);
}

void ModelFile::add_safetensors(const fs::path& file,
                                const std::map<std::string, std::string, std::less<>>* expected) {
    mappings_.emplace_back(file.string());
    const SafetensorsFile st = parse_safetensors(mappings_.back().bytes(), file.string());
    for (const auto& t : st.tensors) {
        if (expected) {
            const auto it = expected->find(t.name);
            if (it == expected->end() || it->second != file.filename().string()) {
                throw Error(file.string() + ": holds tensor '" + t.name +
                            "', which model.safetensors.index.json places " +
                            (it == expected->end() ? "nowhere" : "in " + it->second));
            }
        }
        TensorView view = t;
        const size_t elem = dtype_info(view.dtype).block_bytes;
        if (reinterpret_cast<uintptr_t>(view.data) % elem != 0) {
            auto& copy = aligned_copies_.emplace_back((view.nbytes + 7) / 8);
            std::memcpy(copy.data(), view.data, view.nbytes);
            view.data = copy.data();
        }
        tensors_.push_back(std::move(view));
    }
}

void ModelFile::open_hf(const fs::path& folder) {
    format_ = ModelFormat::HfFolder;
    hf_folder_ = folder;
    if (!fs::exists(folder / "config.json")) {
        throw Error(folder.string() + ": not a model folder: it has no config.json (a model is a " +
                    ".gguf file or a Hugging Face folder)");
    }
    const fs::path single = folder / "model.safetensors";
    const fs::path index_path = folder / "model.safetensors.index.json";
    if (fs::exists(single)) {
        add_safetensors(single, nullptr);
    } else if (fs::exists(index_path)) {
        const MappedFile index_file(index_path.string());
        const auto bytes = index_file.bytes();
        if (bytes.size() > kMaxIndexJsonBytes) {
            throw Error(index_path.string() + ": too large for a shard index");
        }
        const SafetensorsIndex index = parse_safetensors_index(
            std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
            index_path.string());
        for (const auto& shard : index.shards) add_safetensors(folder / shard, &index.weight_map);
        // Every shard tensor was found in the index under its own shard; now the reverse.
        for (const auto& [listed, shard] : index.weight_map) {
            const std::string& name = listed;  // a lambda may not capture a structured binding
            const bool present = std::any_of(tensors_.begin(), tensors_.end(),
                                             [&](const TensorView& t) { return t.name == name; });
            if (!present) {
                throw Error(index_path.string() + ": tensor '" + name + "' is listed in " + shard +
                            " but that file does not hold it");
            }
        }
    } else {
        throw Error(folder.string() + ": has neither model.safetensors nor " +
                    "model.safetensors.index.json");
    }
    // The token embedding: model.embed_tokens.weight, or under model.language_model. in a
    // folder with a vision tower (Qwen3.5).
    const auto embd = std::find_if(tensors_.begin(), tensors_.end(), [](const TensorView& t) {
        return t.name == "model.embed_tokens.weight" ||
               t.name == "model.language_model.embed_tokens.weight";
    });
    if (embd == tensors_.end() || embd->shape.size() != 2) {
        const bool vision = std::any_of(tensors_.begin(), tensors_.end(), [](const TensorView& t) {
            return t.name.starts_with("model.visual.") || t.name.starts_with("visual.");
        });
        if (vision)
            throw Error(folder.string() + ": holds a vision tower but no language model " +
                        "(no embed_tokens.weight): vision-only models are not supported");
        throw Error(folder.string() + ": model.embed_tokens.weight is missing or not a matrix");
    }
    config_ = config_from_hf(folder, embd->shape[0]);
    // The values computed here join the aligned copies: data the model file owns.
    name_hf_tensors(tensors_, config_, aligned_copies_, path_);
    const auto output = std::find_if(tensors_.begin(), tensors_.end(),
                                     [](const TensorView& t) { return t.name == "output.weight"; });
    if (config_.tied_embeddings && output != tensors_.end()) {
        tensors_.erase(output);  // transformers ties lm_head to the embedding, ignoring this copy
    } else if (!config_.tied_embeddings && output == tensors_.end()) {
        throw Error(folder.string() + ": tie_word_embeddings is false but lm_head.weight is " +
                    "missing");
    }
}

void ModelFile::index_tensors() {
    by_name_.clear();
    for (size_t i = 0; i < tensors_.size(); ++i) {
        if (!by_name_.emplace(tensors_[i].name, i).second) {
            throw Error(path_ + ": two tensors are named '" + tensors_[i].name + "'");
        }
    }
}

const TensorView* ModelFile::find(std::string_view name) const {
    const auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : &tensors_[it->second];
}

const TensorView& ModelFile::get(std::string_view name, const std::vector<DType>& dtypes,
                                 const std::vector<int64_t>& shape) const {
    const TensorView* t = find(name);
    if (!t) {
        throw Error(path_ + ": tensor '" + std::string(name) + "' is missing (the model has " +
                    std::to_string(tensors_.size()) + " tensors; is it a " + config_.architecture +
                    " model of the expected layout?)");
    }
    if (!dtypes.empty() && std::find(dtypes.begin(), dtypes.end(), t->dtype) == dtypes.end()) {
        std::string expected;
        for (size_t i = 0; i < dtypes.size(); ++i) {
            expected += (i ? ", " : "") + std::string(dtype_name(dtypes[i]));
        }
        throw Error(path_ + ": tensor '" + t->name + "' has type " +
                    std::string(dtype_name(t->dtype)) + ", expected " +
                    (dtypes.size() > 1 ? "one of " : "") + expected);
    }
    if (t->shape != shape) {
        throw Error(path_ + ": tensor '" + t->name + "' has shape " + shape_string(t->shape) +
                    ", expected " + shape_string(shape));
    }
    return *t;
}

int64_t ModelFile::parameter_count() const {
    int64_t n = 0;
    for (const auto& t : tensors_) n += t.elements();
    return n;
}

uint64_t ModelFile::weight_bytes() const {
    uint64_t n = 0;
    for (const auto& t : tensors_) n += t.nbytes;
    return n;
}

uint64_t ModelFile::file_bytes() const {
    uint64_t n = 0;
    for (const auto& m : mappings_) n += m.bytes().size();
    return n;
}

void ModelFile::prefetch() const {
    for (const auto& m : mappings_) m.prefetch();
}

}  // namespace qe
