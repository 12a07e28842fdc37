#include "fetch/model_source.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "fetch/ascii.h"
#include "fetch/catalogue_names.h"
#include "fetch/sha256.h"

namespace qe::fetch {

namespace {

std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    std::string s = v && *v ? v : fallback;
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
}

// Percent-encodes what may not appear in a URL path segment as is.
std::string encode_path(const std::string& path) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : path) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
            out += char(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

bool safe_repo_part(const std::string& s) {
    if (s.empty() || s == "." || s == "..") return false;
    return std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '.';
    });
}

const char* kNameForms =
    "NAME[:SIZE][:QUANT] as `qwen-edge list` shows (e.g. qwen3:0.6b, qwen2.5:1.5b:q4_k_m), "
    "OWNER/REPO:FILE.gguf for a file of another repository, or --url URL";

// OWNER/REPO:FILE or OWNER/REPO/FILE.
ModelSpec repository_file(const std::string& name, const std::string& quant) {
    std::string repo, file;
    if (const auto colon = name.find(':'); colon != std::string::npos) {
        repo = name.substr(0, colon);
        file = name.substr(colon + 1);
    } else {
        const auto first = name.find('/');
        const auto second = first == std::string::npos ? first : name.find('/', first + 1);
        if (second != std::string::npos) {
            repo = name.substr(0, second);
            file = name.substr(second + 1);
        }
    }
    const auto slash = repo.find('/');
    const bool repo_ok = slash != std::string::npos && safe_repo_part(repo.substr(0, slash)) &&
                         safe_repo_part(repo.substr(slash + 1));
    bool file_ok = !file.empty() && file.find("..") == std::string::npos && file.front() != '/';
    if (!repo_ok || !file_ok) {
        throw Error("cannot read the model name '" + name + "': use " + kNameForms);
    }
    if (!quant.empty()) {
        throw Error("--quant picks a file of a model of the catalogue; with '" + name +
                    "' the file is already named");
    }
    return {repo, file};
}

// The repository's name on ModelScope: the catalogue's, else the same as on Hugging Face.
std::string modelscope_repo(const ModelSpec& spec) {
    if (!spec.entry) return spec.repo;
    if (spec.entry->modelscope_repo.empty()) {
        throw Error(spec.entry->display_name + " (" + spec.repo +
                    ") has no copy on ModelScope that qwen-edge knows of; download it from "
                    "Hugging Face (--source hf, with HF_ENDPOINT for a mirror)");
    }
    return spec.entry->modelscope_repo;
}

}  // namespace

Source parse_source(const std::string& name) {
    const std::string n = ascii_lower(name);
    if (n == "hf" || n == "huggingface" || n == "hugging-face") return Source::kHuggingFace;
    if (n == "modelscope" || n == "ms") return Source::kModelScope;
    throw Error("unknown source '" + name + "': use hf (Hugging Face) or modelscope");
}

const char* source_name(Source source) {
    return source == Source::kHuggingFace ? "Hugging Face" : "ModelScope";
}

const std::vector<std::string>& official_quants() {
    static const std::vector<std::string> quants = [] {
        std::vector<std::string> out;
        for (const auto& f : default_catalogue_entry().quants) out.push_back(f.quant);
        return out;
    }();
    return quants;
}

std::string official_file(const std::string& quant) {
    return "qwen2.5-0.5b-instruct-" + ascii_lower(quant) + ".gguf";
}

ModelSpec catalogue_file(const CatalogueEntry& entry, const std::string& quant) {
    const std::string q = quant.empty() ? entry.default_quant : quant;
    const QuantFile* f = entry.find_quant(q);
    if (!f) {
        throw Error(entry.display_name + " (" + entry.hf_repo + ") has no file in quantization '" +
                    q + "'; choose one of: " + entry.quant_names());
    }
    if (f->parts > 1) {
        // Loading a model from several files is not supported, and half of one is no model.
        throw Error(entry.display_name + " (" + entry.hf_repo + ") publishes its " + f->quant +
                    " file split in " + std::to_string(f->parts) + " parts (" + f->file +
                    ", ...), which qwen-edge cannot load as one model; choose one published "
                    "whole: " +
                    entry.whole_quant_names());
    }
    return {entry.hf_repo, f->file, &entry};
}

ModelSpec resolve_model_name(const std::string& name, const std::string& quant) {
    if (name.empty()) return catalogue_file(default_catalogue_entry(), quant);
    // A file name is never a catalogue name: "Qwen/Qwen3-0.6B-GGUF:Qwen3-0.6B-Q8_0.gguf".
    if (ascii_lower(name).find(".gguf") != std::string::npos) return repository_file(name, quant);
    if (const auto choice = parse_catalogue_name(name)) {
        if (!choice->quant.empty() && !quant.empty() &&
            choice->entry->find_quant(quant) != choice->entry->find_quant(choice->quant)) {
            throw Error("'" + name + "' names quantization " + choice->quant + " and --quant " +
                        quant + " another: give one of them");
        }
        return catalogue_file(*choice->entry, choice->quant.empty() ? quant : choice->quant);
    }
    if (name.find('/') != std::string::npos) return repository_file(name, quant);
    throw Error("no model '" + name + "' in the catalogue, which has " + catalogue_short_names() +
                "; name a model as " + kNameForms);
}

std::string huggingface_endpoint() {
    return env_or("HF_ENDPOINT", "https://huggingface.co");
}

std::string modelscope_endpoint() {
    return env_or("MODELSCOPE_ENDPOINT", "https://www.modelscope.cn");
}

std::string download_url(const ModelSpec& spec, Source source) {
    if (source == Source::kHuggingFace) {
        return huggingface_endpoint() + "/" + encode_path(spec.repo) + "/resolve/main/" +
               encode_path(spec.file);
    }
    return modelscope_endpoint() + "/models/" + encode_path(modelscope_repo(spec)) +
           "/resolve/master/" + encode_path(spec.file);
}

std::string modelscope_listing_url(const ModelSpec& spec) {
    return modelscope_endpoint() + "/api/v1/models/" + encode_path(modelscope_repo(spec)) +
           "/repo/files?Revision=master&Recursive=true";
}

std::string modelscope_sha256(const std::string& listing_json, const std::string& file) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(listing_json);
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("ModelScope's file listing is not valid JSON: ") + e.what());
    }
    const auto data = j.find("Data");
    if (data == j.end() || !data->is_object()) return "";
    const auto files = data->find("Files");
    if (files == data->end() || !files->is_array()) return "";
    for (const auto& f : *files) {
        if (!f.is_object()) continue;
        const auto path = f.find("Path");
        const auto sha = f.find("Sha256");
        if (path == f.end() || !path->is_string() || *path != file) continue;
        if (sha == f.end() || !sha->is_string()) return "";
        return normalize_sha256(sha->get<std::string>());
    }
    return "";
}

std::string huggingface_listing_url(const ModelSpec& spec) {
    const auto slash = spec.file.find_last_of('/');
    const std::string folder = slash == std::string::npos ? "" : "/" + spec.file.substr(0, slash);
    return huggingface_endpoint() + "/api/models/" + encode_path(spec.repo) + "/tree/main" +
           encode_path(folder);
}

std::string huggingface_sha256(const std::string& listing_json, const std::string& file) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(listing_json);
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("Hugging Face's file listing is not valid JSON: ") + e.what());
    }
    if (!j.is_array()) return "";
    for (const auto& f : j) {
        if (!f.is_object()) continue;
        const auto path = f.find("path");
        if (path == f.end() || !path->is_string() || *path != file) continue;
        const auto lfs = f.find("lfs");
        if (lfs == f.end() || !lfs->is_object()) return "";
        const auto oid = lfs->find("oid");
        if (oid == lfs->end() || !oid->is_string()) return "";
        return normalize_sha256(oid->get<std::string>());
    }
    return "";
}

std::vector<std::string> source_headers(Source source) {
    std::vector<std::string> headers;
    if (source == Source::kHuggingFace) {
        const char* token = std::getenv("HF_TOKEN");
        if (token && *token) headers.push_back(std::string("Authorization: Bearer ") + token);
    }
    return headers;
}

}  // namespace qe::fetch
