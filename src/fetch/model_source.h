// Where a model file comes from: a GGUF repository of the catalogue (fetch/model_catalogue.h) on
// Hugging Face or ModelScope, or another repository named on the command line, and how to address
// one of its files.
#pragma once

#include <string>
#include <vector>

#include "fetch/model_catalogue.h"

namespace qe::fetch {

enum class Source { kHuggingFace, kModelScope };

// "hf" / "huggingface" / "modelscope" / "ms"; throws qe::Error listing the choices.
Source parse_source(const std::string& name);
const char* source_name(Source source);

// The model qwen-edge is made for, as published by the Qwen team in GGUF form.
inline constexpr const char* kDefaultRepo = "Qwen/Qwen2.5-0.5B-Instruct-GGUF";
inline constexpr const char* kDefaultModelName = "Qwen2.5-0.5B-Instruct";
// Q8_0 keeps the 0.5B model closest to the original weights and is still fast on a CPU.
inline constexpr const char* kDefaultQuant = "q8_0";

// The quantizations the default model's repository publishes, each as file
// qwen2.5-0.5b-instruct-<quant>.gguf.
const std::vector<std::string>& official_quants();

// File name of an official quantization: "q4_0" -> "qwen2.5-0.5b-instruct-q4_0.gguf".
std::string official_file(const std::string& quant);

struct ModelSpec {
    std::string repo;  // "Qwen/Qwen2.5-0.5B-Instruct-GGUF"
    std::string file;  // "qwen2.5-0.5b-instruct-q8_0.gguf"
    // The catalogue entry of the file; nullptr for a file of another repository (whose
    // ModelScope copy, if any, has the same repository name).
    const CatalogueEntry* entry = nullptr;
};

// What `qwen-edge pull NAME --quant Q` means. NAME may be empty (the default model), a catalogue
// name (fetch/catalogue_names.h: "qwen3:0.6b", "qwen2.5:1.5b:q4_k_m", "Qwen/Qwen3-0.6B-GGUF"):
// its file of quant Q, else of the quant the name gives, else of the entry's default. Or
// "OWNER/REPO/FILE.gguf" or "OWNER/REPO:FILE.gguf": that file of any repository.
// Throws qe::Error for an unknown name, a quant the repository does not publish or publishes
// split in parts, or a name it cannot read, saying what would work.
ModelSpec resolve_model_name(const std::string& name, const std::string& quant);

// The file of `quant` ("" for the default) in a catalogue entry's repository; throws qe::Error as
// resolve_model_name does.
ModelSpec catalogue_file(const CatalogueEntry& entry, const std::string& quant);

// $HF_ENDPOINT (a mirror) or https://huggingface.co, without a trailing slash.
std::string huggingface_endpoint();
// $MODELSCOPE_ENDPOINT or https://www.modelscope.cn, without a trailing slash.
std::string modelscope_endpoint();

// The file's download URL: HF  {endpoint}/{repo}/resolve/main/{file}
//                          MS  {endpoint}/models/{repo}/resolve/master/{file}
// Throws qe::Error for ModelScope when the catalogue knows no ModelScope copy of the repository.
std::string download_url(const ModelSpec& spec, Source source);

// ModelScope's file listing, which carries each file's SHA-256:
// {endpoint}/api/v1/models/{repo}/repo/files?Revision=master&Recursive=true
std::string modelscope_listing_url(const ModelSpec& spec);

// The SHA-256 of `file` in a ModelScope listing ({"Data":{"Files":[{"Path","Sha256"}]}}); "" when
// the listing does not name it or carries no valid digest. Throws qe::Error on malformed JSON.
std::string modelscope_sha256(const std::string& listing_json, const std::string& file);

// Hugging Face's listing of the folder that holds the file, which carries each LFS file's SHA-256:
// {endpoint}/api/models/{repo}/tree/main[/{folder}]
std::string huggingface_listing_url(const ModelSpec& spec);

// The SHA-256 of `file` (its path in the repository) in a Hugging Face listing
// ([{"type":"file","path","lfs":{"oid":SHA-256,"size"}}]); "" when the listing does not name it or
// gives no valid digest (a file kept in git rather than LFS). Throws qe::Error on malformed JSON.
std::string huggingface_sha256(const std::string& listing_json, const std::string& file);

// Request headers for a source: a Hugging Face token from $HF_TOKEN for gated repositories.
std::vector<std::string> source_headers(Source source);

}  // namespace qe::fetch
