// Downloading one model into the models folder, as `qwen-edge pull` and a first `qwen-edge serve`
// do it: from Hugging Face, else (when no source is chosen and Hugging Face fails) ModelScope;
// resumable, checked against a SHA-256 (given, stated by the server, or from the repository's file
// listing; a file with none is refused unless allow_unverified), and moved into place only then.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "fetch/model_source.h"

namespace qe::fetch {

struct PullRequest {
    std::string name;   // as resolve_model_name reads it ("" = the default model)
    std::string quant;  // "" = the model's default
    std::string url;    // download this URL instead (then `name` is the file name to save as)
    std::string sha256;
    std::string models_dir;  // "" = models_dir()'s default
    // The source; none: Hugging Face, then ModelScope when that fails.
    std::optional<Source> source;
    bool allow_unverified = false;
    bool force = false;  // download again even if the file is there
    std::string user_agent = "qwen-edge";
    int retries = 3;
    long retry_delay_ms = 1000;
    long stall_timeout_s = 30;
    std::function<void(uint64_t done, uint64_t total)> on_progress;
    std::function<void(const std::string& message)> on_notice;
    std::function<bool()> stop_requested;  // true: stop now (the part stays for a resume)
};

struct PullResult {
    std::string path;
    bool already_there = false;  // nothing was downloaded
    bool verified = false;
    std::string sha256;  // of the downloaded file ("" when already there)
};

// The source named by $QWEN_EDGE_SOURCE (hf / modelscope), or none when it is unset. Throws
// qe::Error for another value.
std::optional<Source> source_from_environment();

// The file name the model of `request` gets in the models folder; throws qe::Error as
// resolve_model_name does, or for a name that is no GGUF file name.
std::string pull_file_name(const PullRequest& request);

// Downloads the model of `request`. Throws qe::Error saying what failed and what to do; a cut
// download stays in FILE.part, and calling again resumes it.
PullResult pull_model(const PullRequest& request);

}  // namespace qe::fetch
