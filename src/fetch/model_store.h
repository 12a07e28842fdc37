// The local folder of downloaded models, and how the other commands find the model to run.
//
// The folder is, in order: --models-dir, $QWEN_EDGE_MODELS, $XDG_CACHE_HOME/qwen-edge/models,
// ~/.cache/qwen-edge/models. Each model is one GGUF file; FILE.sha256 beside it records the digest
// it was verified against (sha256sum format), FILE.part is an unfinished download.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qe::fetch {

// The models folder (not created). Throws qe::Error when no candidate is set (no HOME).
std::string models_dir(const std::string& override_dir = "");

struct CachedModel {
    std::string name;  // file name, "qwen2.5-0.5b-instruct-q8_0.gguf"
    std::string path;
    uint64_t bytes = 0;
    bool partial = false;  // an unfinished download (name.part)
    std::string sha256;    // recorded at download ("" when not verified)
};

// Models and unfinished downloads in `dir`, sorted by name; empty when the folder does not exist.
std::vector<CachedModel> list_models(const std::string& dir);

// Removes the model NAME (file name, or without ".gguf") from `dir` with its .sha256 and .part
// files; returns what was removed. Throws qe::Error for a name with a path in it, or when nothing
// matches (listing what is there).
std::vector<std::string> remove_model(const std::string& dir, const std::string& name);

// Records the verified digest beside the model (written atomically).
void write_sha256_file(const std::string& model_path, const std::string& sha256);

// The digest recorded beside a model at its download (FILE.sha256, lowercase hex), or "" when
// there is none or it is not a SHA-256.
std::string recorded_sha256(const std::string& model_path);

// Where the default model (the official Q8_0 file) lives or would live.
std::string default_model_path(const std::string& dir_override = "");

// The model to run. With `model` given: that path if it exists, else a model of that name in the
// models folder ("qwen2.5-0.5b-instruct-q4_0.gguf", its name without ".gguf", or just "q4_0"),
// else the downloaded file of a catalogue name ("qwen3:0.6b": its default quantization, else
// another one downloaded; "qwen3:4b:q8_0": that one). Without: the default model, else another
// official quantization found in the folder. Throws qe::Error that says exactly how to get the
// model when there is none (for a catalogue name: the `qwen-edge pull NAME` that downloads it).
std::string resolve_model(const std::optional<std::string>& model,
                          const std::string& dir_override = "");

// The same for a command-line option that is "" when not given.
std::string resolve_model_option(const std::string& model, const std::string& dir_override = "");

// The text of that error: the pull command, the manual URL and where to put the file.
std::string missing_model_help(const std::string& dir);

}  // namespace qe::fetch
