#include "cli/engine_options.h"

#include <charconv>
#include <chrono>
#include <cstdio>

#include "core/error.h"

namespace qe::cli {

void EngineOptions::add_to(CLI::App& cmd) {
    cmd.add_option("-m,--model", model_path, "a .gguf file or a Hugging Face model folder")
        ->required();
    cmd.add_option("-c,--ctx", n_ctx, "context size in tokens (capped at the model's)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd.add_option("-t,--threads", n_threads, "threads (0: one per core)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    cmd.add_option("--kv-type", kv_type, "KV cache type")
        ->capture_default_str()
        ->check(CLI::IsMember({"f16", "f32"}));
    cmd.add_flag("--reference", reference,
                 "use the plain reference forward pass (slow; for checking the fast one)");
}

std::unique_ptr<LoadedModel> open_model(const std::string& path, const LoadOptions& options) {
    const auto start = std::chrono::steady_clock::now();
    auto model = LoadedModel::open(path, options);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "%s: %s; opened in %.0f ms\n", path.c_str(), model->describe().c_str(),
                 ms);
    return model;
}

std::unique_ptr<Scheduler> start_scheduler(const LoadedModel& model, SchedulerOptions options) {
    options.weights_in_file_mapping = model.weights_in_file_mapping();
    options.repack_in_background = true;  // answer before the repacking ends
    return std::make_unique<Scheduler>(model.config(), model.weights(), options);
}

std::vector<int> parse_ids(const std::string& text) {
    std::vector<int> ids;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        std::string item = text.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') item.erase(item.begin());
        while (!item.empty() && item.back() == ' ') item.pop_back();
        int value = 0;
        const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
        if (item.empty() || ec != std::errc() || ptr != item.data() + item.size())
            throw Error("--ids: item " + std::to_string(ids.size() + 1) + " (\"" + item +
                        "\") is not a token id; expected comma-separated integers like 1,2,3");
        ids.push_back(value);
        start = end + 1;
    }
    return ids;
}

}  // namespace qe::cli
