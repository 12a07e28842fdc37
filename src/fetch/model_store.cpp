#include "fetch/model_store.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "fetch/catalogue_names.h"
#include "fetch/model_source.h"
#include "fetch/sha256.h"
#include "io/atomic_file.h"

namespace qe::fetch {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool is_model_file(const std::string& name) {
    return ends_with(name, ".gguf");
}

std::string cached_names(const std::string& dir) {
    std::string out;
    for (const auto& m : list_models(dir)) {
        if (!m.partial) out += (out.empty() ? "" : ", ") + m.name;
    }
    return out.empty() ? "none" : out;
}

// The downloaded file of a catalogue name: the quantization it names, else the entry's default,
// else any other of its quantizations in the folder; nullopt when `model` is no catalogue name.
std::optional<std::string> downloaded_catalogue_file(const std::string& model,
                                                     const std::string& dir) {
    const auto choice = parse_catalogue_name(model);
    if (!choice) return std::nullopt;
    const CatalogueEntry& entry = *choice->entry;
    std::vector<std::string> files = {catalogue_file(entry, choice->quant).file};
    if (choice->quant.empty()) {
        for (const auto& f : entry.quants) {
            if (f.parts == 1) files.push_back(f.file);
        }
    }
    std::error_code ec;
    for (const auto& file : files) {
        const fs::path p = fs::path(dir) / file;
        if (fs::is_regular_file(p, ec)) return p.string();
    }
    throw Error(entry.short_name() + " (" + entry.display_name + ") is not downloaded: no " +
                files.front() + (choice->quant.empty() ? " or another of its quantizations" : "") +
                " in " + dir + ". Download it with `qwen-edge pull " + model + "`");
}

}  // namespace

std::string models_dir(const std::string& override_dir) {
    if (!override_dir.empty()) return override_dir;
    if (const char* v = std::getenv("QWEN_EDGE_MODELS"); v && *v) return v;
    if (const char* v = std::getenv("XDG_CACHE_HOME"); v && *v && v[0] == '/') {
        return (fs::path(v) / "qwen-edge" / "models").string();
    }
    if (const char* v = std::getenv("HOME"); v && *v) {
        return (fs::path(v) / ".cache" / "qwen-edge" / "models").string();
    }
    throw Error(
        "no folder for models: HOME is not set; pass --models-dir DIR or set "
        "QWEN_EDGE_MODELS");
}

std::vector<CachedModel> list_models(const std::string& dir) {
    std::vector<CachedModel> out;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return out;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        std::error_code size_ec;
        if (!entry.is_regular_file(size_ec)) continue;
        CachedModel m;
        m.path = entry.path().string();
        m.bytes = entry.file_size(size_ec);
        if (is_model_file(name)) {
            m.name = name;
            m.sha256 = recorded_sha256(entry.path().string());
        } else if (ends_with(name, ".gguf.part")) {
            m.name = name.substr(0, name.size() - 5);
            m.partial = true;
        } else {
            continue;
        }
        out.push_back(std::move(m));
    }
    std::sort(out.begin(), out.end(), [](const CachedModel& a, const CachedModel& b) {
        return a.name != b.name ? a.name < b.name : a.partial < b.partial;
    });
    return out;
}

std::vector<std::string> remove_model(const std::string& dir, const std::string& name) {
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
        throw Error("'" + name +
                    "' is not a model name: give the file name as `qwen-edge list` "
                    "shows it");
    }
    const std::string file = is_model_file(name) ? name : name + ".gguf";
    std::vector<std::string> removed;
    for (const char* suffix : {"", ".sha256", ".part"}) {
        const fs::path p = fs::path(dir) / (file + suffix);
        std::error_code ec;
        if (fs::remove(p, ec)) {
            removed.push_back(p.string());
        } else if (ec) {
            throw Error(p.string() + ": cannot remove: " + ec.message());
        }
    }
    if (removed.empty()) {
        throw Error("no model '" + name + "' in " + dir + " (models there: " + cached_names(dir) +
                    ")");
    }
    return removed;
}

std::string recorded_sha256(const std::string& model_path) {
    std::ifstream in(model_path + ".sha256");
    std::string digest;
    if (!(in >> digest)) return "";
    return normalize_sha256(digest);
}

void write_sha256_file(const std::string& model_path, const std::string& sha256) {
    // The sha256sum format, so `sha256sum -c FILE.sha256` checks the model by hand.
    const std::string line = sha256 + "  " + fs::path(model_path).filename().string() + "\n";
    write_file_atomically(model_path + ".sha256",
                          [&](const ByteSink& sink) { sink(line.data(), line.size()); });
}

std::string default_model_path(const std::string& dir_override) {
    return (fs::path(models_dir(dir_override)) / official_file(kDefaultQuant)).string();
}

std::string missing_model_help(const std::string& dir) {
    const ModelSpec spec = resolve_model_name("", kDefaultQuant);
    return std::string("no model found: qwen-edge runs ") + kDefaultModelName +
           " (GGUF), and there is none in " + dir +
           ".\nGet it (676 MB) with:\n    qwen-edge pull\nor download it by hand from\n    " +
           download_url(spec, Source::kHuggingFace) + "\nand save it as\n    " +
           (fs::path(dir) / spec.file).string() + "\nor point to a GGUF file with --model PATH.";
}

std::string resolve_model(const std::optional<std::string>& model,
                          const std::string& dir_override) {
    std::error_code ec;
    if (model && !model->empty()) {
        if (fs::exists(*model, ec)) return *model;
        const bool plain_name = model->find('/') == std::string::npos;
        if (plain_name) {
            const std::string dir = models_dir(dir_override);
            for (const std::string& candidate : {*model, *model + ".gguf", official_file(*model)}) {
                const fs::path p = fs::path(dir) / candidate;
                if (fs::is_regular_file(p, ec)) return p.string();
            }
        }
        // A catalogue name ("qwen3:0.6b", "Qwen/Qwen3-0.6B-GGUF"): its downloaded file.
        if (auto file = downloaded_catalogue_file(*model, models_dir(dir_override))) return *file;
        if (plain_name) {
            const std::string dir = models_dir(dir_override);
            throw Error("no model '" + *model + "': not a file here, not in " + dir +
                        " (models there: " + cached_names(dir) +
                        ") and not a name of the catalogue (" + catalogue_short_names() +
                        "); download one with `qwen-edge pull [NAME]` or give a path");
        }
        throw Error(*model + ": no such file or folder");
    }
    const std::string dir = models_dir(dir_override);
    for (const auto& quant : official_quants()) {
        const fs::path p = fs::path(dir) / official_file(quant);
        if (fs::is_regular_file(p, ec)) return p.string();
    }
    throw Error(missing_model_help(dir));
}

std::string resolve_model_option(const std::string& model, const std::string& dir_override) {
    return resolve_model(model.empty() ? std::nullopt : std::make_optional(model), dir_override);
}

}  // namespace qe::fetch
