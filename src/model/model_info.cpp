#include "model/model_info.h"

#include "io/json_file.h"
#include "model/file_type.h"

namespace qe {
namespace {

// Token texts by id, from the GGUF vocabulary or tokenizer.json (added tokens and the BPE vocab).
class Vocabulary {
  public:
    explicit Vocabulary(const ModelFile& model) {
        if (const GgufFile* g = model.gguf()) {
            if (const GgufValue* v = g->find("tokenizer.ggml.tokens")) tokens_ = v->as_array();
            return;
        }
        const auto path = model.hf_folder() / "tokenizer.json";
        if (!std::filesystem::exists(path)) return;
        json_ = read_json_file(path, kMaxTokenizerJsonBytes);
    }

    std::optional<std::string> text(int id) const {
        if (id < 0) return std::nullopt;
        if (tokens_) {
            if (size_t(id) >= tokens_->items.size()) return std::nullopt;
            const std::string* s = tokens_->items[size_t(id)].as_string();
            return s ? std::optional<std::string>(*s) : std::nullopt;
        }
        if (!json_.is_object()) return std::nullopt;
        if (auto added = json_.find("added_tokens"); added != json_.end() && added->is_array()) {
            for (const auto& t : *added) {
                if (t.is_object() && t.value("id", -1) == id && t.contains("content") &&
                    t["content"].is_string()) {
                    return t["content"].get<std::string>();
                }
            }
        }
        if (auto model = json_.find("model"); model != json_.end() && model->is_object()) {
            if (auto vocab = model->find("vocab"); vocab != model->end() && vocab->is_object()) {
                for (const auto& [text, value] : vocab->items()) {
                    if (value.is_number_integer() && value.get<int64_t>() == id) return text;
                }
            }
        }
        return std::nullopt;
    }

  private:
    const GgufArray* tokens_ = nullptr;
    nlohmann::json json_;
};

}  // namespace

ModelInfo describe(const ModelFile& model) {
    ModelInfo info;
    info.format = model.format() == ModelFormat::Gguf ? "gguf" : "huggingface";
    if (const GgufFile* g = model.gguf()) {
        info.gguf_version = g->version;
        if (const GgufValue* ft = g->find("general.file_type")) {
            if (auto id = ft->as_int(); id && *id >= 0 && *id <= INT32_MAX) {
                info.file_type_id = int(*id);
                if (auto name = file_type_name(int(*id))) info.file_type = std::string(*name);
            }
        }
    }
    std::map<std::string, int64_t> matrix_params;
    int64_t all_matrix_params = 0;
    for (const auto& t : model.tensors()) {
        const std::string type(dtype_name(t.dtype));
        ++info.tensor_types[type];
        if (t.shape.size() >= 2) {
            matrix_params[type] += t.elements();
            all_matrix_params += t.elements();
        }
    }
    for (const auto& [type, n] : matrix_params) {
        if (info.dominant_type.empty() || n > matrix_params[info.dominant_type]) {
            info.dominant_type = type;
        }
    }
    if (all_matrix_params > 0) {
        info.dominant_share = double(matrix_params[info.dominant_type]) / double(all_matrix_params);
    }
    info.parameters = model.parameter_count();
    info.weight_bytes = model.weight_bytes();
    info.file_bytes = model.file_bytes();

    const Vocabulary vocab(model);
    const ModelConfig& c = model.config();
    info.bos = {c.bos_id, vocab.text(c.bos_id)};
    info.eos = {c.eos_id, vocab.text(c.eos_id)};
    info.pad = {c.pad_id, vocab.text(c.pad_id)};
    return info;
}

}  // namespace qe
