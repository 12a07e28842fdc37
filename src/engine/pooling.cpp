#include "engine/pooling.h"

#include <string>
#include <vector>

#include "core/error.h"
#include "io/json_file.h"

namespace qe {

Pooling pooling_from_gguf(std::optional<int64_t> pooling_type) {
    if (!pooling_type) return Pooling::Last;
    switch (*pooling_type) {
        case 1:
            return Pooling::Mean;
        case 3:
            return Pooling::Last;
        case 0:
            throw Error(
                "pooling_type 0 (none: a vector per token) is not supported: embeddings need mean "
                "or last-token pooling");
        case 2:
            throw Error(
                "pooling_type 2 (cls) is not supported: only mean and last-token pooling are");
        case 4:
            throw Error(
                "pooling_type 4 (rank: a reranker) is not supported: only mean and last-token "
                "pooling are");
        default:
            throw Error("pooling_type " + std::to_string(*pooling_type) +
                        " is unknown (llama.cpp's are 0 none, 1 mean, 2 cls, 3 last, 4 rank)");
    }
}

namespace {

// The folder of the pooling module named in modules.json ("" when there is none).
std::string pooling_module_path(const std::filesystem::path& modules_file) {
    const nlohmann::json modules = read_json_file(modules_file);
    if (!modules.is_array())
        throw Error(modules_file.string() + ": expected an array of modules");
    for (const auto& m : modules) {
        if (!m.is_object()) throw Error(modules_file.string() + ": a module is not an object");
        const auto type = m.find("type");
        if (type == m.end() || !type->is_string() ||
            !type->get<std::string>().ends_with("models.Pooling"))
            continue;
        const auto path = m.find("path");
        if (path == m.end() || !path->is_string() || path->get<std::string>().empty() ||
            path->get<std::string>().find("..") != std::string::npos)
            throw Error(modules_file.string() + ": the Pooling module has no usable \"path\"");
        return path->get<std::string>();
    }
    return "";
}

}  // namespace

std::optional<Pooling> pooling_from_hf_folder(const std::filesystem::path& folder) {
    const std::filesystem::path modules_file = folder / "modules.json";
    if (!std::filesystem::exists(modules_file)) return std::nullopt;
    const std::string module = pooling_module_path(modules_file);
    if (module.empty()) return std::nullopt;
    const std::filesystem::path config_file = folder / module / "config.json";
    const nlohmann::json config = read_json_file(config_file);
    if (!config.is_object()) throw Error(config_file.string() + ": expected an object");
    std::vector<std::string> modes;
    for (const auto& [key, value] : config.items()) {
        if (!key.starts_with("pooling_mode_")) continue;
        if (!value.is_boolean())
            throw Error(config_file.string() + ": \"" + key + "\" is not true or false");
        if (value.get<bool>()) modes.push_back(key.substr(13));
    }
    if (modes.size() != 1)
        throw Error(config_file.string() + ": " + std::to_string(modes.size()) +
                    " pooling modes are on; exactly one (lasttoken or mean_tokens) is supported");
    if (modes[0] == "lasttoken") return Pooling::Last;
    if (modes[0] == "mean_tokens") return Pooling::Mean;
    throw Error(config_file.string() + ": pooling mode \"" + modes[0] +
                "\" is not supported: only lasttoken and mean_tokens are");
}

}  // namespace qe
