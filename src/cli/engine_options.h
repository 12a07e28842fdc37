// Options shared by the sub-commands that run the model (logits, generate): which model, how big
// a context, how many threads, which KV cache type, which forward path.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "engine/session.h"
#include "model/model.h"

namespace qe::cli {

struct EngineOptions {
    std::string model_path;
    int n_ctx = 4096;
    int n_threads = 0;
    std::string kv_type = "f16";
    bool reference = false;

    void add_to(CLI::App& cmd);
    SessionOptions session_options() const;
};

// Opens the model and reports what was loaded on stderr (file, type, KV cache size).
struct LoadedModel {
    std::unique_ptr<Model> model;
    std::unique_ptr<Session> session;
};
LoadedModel load_model(const EngineOptions& options);

// "1,2,3" -> {1, 2, 3}; throws qe::Error naming the bad item.
std::vector<int> parse_ids(const std::string& text);

}  // namespace qe::cli
