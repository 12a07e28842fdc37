#include "model/chat_template_load.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "io/gguf.h"
#include "io/json_file.h"
#include "model/model_file.h"
#include "tokenizer/tokenizer.h"

namespace qe {

namespace {

// A chat template is text of a few KB; anything this large is not one.
constexpr uintmax_t kMaxTemplateFileBytes = 16u << 20;

std::string read_text_file(const std::filesystem::path& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw Error(path.string() + ": " + ec.message());
    if (size > kMaxTemplateFileBytes) {
        throw Error(path.string() + ": " + std::to_string(size) +
                    " bytes is too large for a chat template");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path.string() + ": cannot open");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

ModelChatTemplate from_gguf(const GgufFile& gguf, const std::string& path) {
    ModelChatTemplate t;
    auto text_of = [&](const char* key) -> std::string {
        const GgufValue* v = gguf.find(key);
        if (!v) return "";
        const std::string* s = v->as_string();
        if (!s) throw Error(path + ": metadata key " + key + " is not a string");
        return *s;
    };
    t.source = text_of("tokenizer.chat_template");
    t.tool_use_source = text_of("tokenizer.chat_template.tool_use");
    t.origin = path + " (tokenizer.chat_template)";
    return t;
}

ModelChatTemplate from_hf_folder(const std::filesystem::path& folder) {
    ModelChatTemplate t;
    const auto jinja_file = folder / "chat_template.jinja";
    if (std::filesystem::exists(jinja_file)) {
        t.source = read_text_file(jinja_file);
        t.origin = jinja_file.string();
        return t;
    }
    const auto config_path = folder / "tokenizer_config.json";
    if (!std::filesystem::exists(config_path)) return t;
    const nlohmann::json doc = read_json_file(config_path);
    const auto it = doc.find("chat_template");
    if (it == doc.end() || it->is_null()) return t;
    t.origin = config_path.string() + " (chat_template)";
    if (it->is_string()) {
        t.source = it->get<std::string>();
        return t;
    }
    if (!it->is_array()) {
        throw Error(config_path.string() +
                    ": chat_template must be a string or a list of {name, template}");
    }
    for (const auto& entry : *it) {
        if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() ||
            !entry.contains("template") || !entry["template"].is_string()) {
            throw Error(config_path.string() +
                        ": each named chat_template needs a string name and template");
        }
        const std::string name = entry["name"].get<std::string>();
        if (name == "default") t.source = entry["template"].get<std::string>();
        if (name == "tool_use") t.tool_use_source = entry["template"].get<std::string>();
    }
    return t;
}

}  // namespace

ModelChatTemplate load_chat_template(const ModelFile& model) {
    if (const GgufFile* gguf = model.gguf()) return from_gguf(*gguf, model.path());
    return from_hf_folder(model.hf_folder());
}

ModelChatTemplate load_chat_template(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return from_hf_folder(path);
    if (!std::filesystem::exists(path, ec)) {
        throw Error(path + ": no such file or folder (give a .gguf file or a model folder)");
    }
    return load_chat_template(ModelFile::open(path));
}

nlohmann::ordered_json special_token_variables(const Tokenizer& tokenizer) {
    nlohmann::ordered_json vars = nlohmann::ordered_json::object();
    auto add = [&](const char* name, int32_t id) {
        if (id >= 0 && id < tokenizer.size()) vars[name] = std::string(tokenizer.token_bytes(id));
    };
    add("bos_token", tokenizer.bos_id());
    add("eos_token", tokenizer.eos_id());
    add("pad_token", tokenizer.pad_id());
    return vars;
}

}  // namespace qe
