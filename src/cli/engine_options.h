// Options shared by the sub-commands that run the model (logits, generate): which model, how big
// a context, how many threads, which KV cache type, which forward path; and the one way every
// command starts the scheduler over a loaded model.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "engine/scheduler.h"
#include "model/loaded_model.h"
#include "model/runtime.h"

namespace qe::cli {

struct EngineOptions {
    std::string model_path;
    int n_ctx = 4096;
    int n_threads = 0;
    std::string kv_type = "f16";
    bool reference = false;

    void add_to(CLI::App& cmd);
    DType kv_dtype() const { return kv_type == "f32" ? DType::F32 : DType::F16; }
    ForwardPath path() const { return reference ? ForwardPath::Reference : ForwardPath::Fast; }
};

// Opens the model (LoadedModel::open) and reports on stderr what was loaded and how long it took.
std::unique_ptr<LoadedModel> open_model(const std::string& path, const LoadOptions& options = {});

// A scheduler over the model with a runtime of its own, as the commands run it: the weights of a
// GGUF file handed back to its mapping once repacked, the repacking in the background so that
// the first answer need not wait for it.
std::unique_ptr<Scheduler> start_scheduler(const LoadedModel& model, SchedulerOptions options);

// "1,2,3" -> {1, 2, 3}; throws qe::Error naming the bad item.
std::vector<int> parse_ids(const std::string& text);

}  // namespace qe::cli
