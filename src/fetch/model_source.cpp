#include "fetch/model_source.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "fetch/sha256.h"

namespace qe::fetch {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

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

bool is_default_model_name(const std::string& name) {
    const std::string n = lower(name);
    return n.empty() || n == "qwen2.5-0.5b-instruct" || n == "qwen2.5-0.5b" ||
           n == "qwen/qwen2.5-0.5b-instruct" || n == "qwen/qwen2.5-0.5b-instruct-gguf" ||
           n == "qwen2.5-0.5b-instruct-gguf";
}

std::string quant_list() {
    std::string out;
    for (const auto& q : official_quants()) out += (out.empty() ? "" : ", ") + q;
    return out;
}

bool safe_repo_part(const std::string& s) {
    if (s.empty() || s == "." || s == "..") return false;
    return std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '.';
    });
}

}  // namespace

Source parse_source(const std::string& name) {
    const std::string n = lower(name);
    if (n == "hf" || n == "huggingface" || n == "hugging-face") return Source::kHuggingFace;
    if (n == "modelscope" || n == "ms") return Source::kModelScope;
    throw Error("unknown source '" + name + "': use hf (Hugging Face) or modelscope");
}

const char* source_name(Source source) {
    return source == Source::kHuggingFace ? "Hugging Face" : "ModelScope";
}

const std::vector<std::string>& official_quants() {
    static const std::vector<std::string> quants = {"q8_0", "q4_0",   "q4_k_m", "q5_0", "q5_k_m",
                                                    "q6_k", "q3_k_m", "q2_k",   "fp16"};
    return quants;
}

std::string official_file(const std::string& quant) {
    return "qwen2.5-0.5b-instruct-" + lower(quant) + ".gguf";
}

ModelSpec resolve_model_name(const std::string& name, const std::string& quant) {
    if (is_default_model_name(name)) {
        std::string q = lower(quant.empty() ? kDefaultQuant : quant);
        if (q == "f16") q = "fp16";
        const auto& known = official_quants();
        if (std::find(known.begin(), known.end(), q) == known.end()) {
            throw Error("no official " + std::string(kDefaultModelName) +
                        " file in quantization '" + quant + "'; choose one of: " + quant_list());
        }
        return {kDefaultRepo, official_file(q)};
    }
    // OWNER/REPO:FILE or OWNER/REPO/FILE
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
        throw Error("cannot read the model name '" + name +
                    "': use no name (Qwen2.5-0.5B-Instruct, with --quant), or OWNER/REPO:FILE.gguf "
                    "for a file of another repository, or --url URL");
    }
    if (!quant.empty()) {
        throw Error("--quant picks a file of the official " + std::string(kDefaultModelName) +
                    " repository; with '" + name + "' the file is already named");
    }
    return {repo, file};
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
    return modelscope_endpoint() + "/models/" + encode_path(spec.repo) + "/resolve/master/" +
           encode_path(spec.file);
}

std::string modelscope_listing_url(const ModelSpec& spec) {
    return modelscope_endpoint() + "/api/v1/models/" + encode_path(spec.repo) +
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

std::vector<std::string> source_headers(Source source) {
    std::vector<std::string> headers;
    if (source == Source::kHuggingFace) {
        const char* token = std::getenv("HF_TOKEN");
        if (token && *token) headers.push_back(std::string("Authorization: Bearer ") + token);
    }
    return headers;
}

}  // namespace qe::fetch
