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

SessionOptions EngineOptions::session_options() const {
    SessionOptions o;
    o.n_ctx = n_ctx;
    o.n_threads = n_threads;
    o.kv_type = kv_type == "f32" ? DType::F32 : DType::F16;
    o.path = reference ? ForwardPath::Reference : ForwardPath::Fast;
    return o;
}

LoadedModel load_model(const EngineOptions& options) {
    LoadedModel m;
    const auto start = std::chrono::steady_clock::now();
    m.model = Model::open(options.model_path);
    const auto opened = std::chrono::steady_clock::now();
    SessionOptions session_options = options.session_options();
    // GGUF tensors are used where the file is mapped (safetensors ones may be copies).
    session_options.weights_in_file_mapping = m.model->file().format() == ModelFormat::Gguf;
    session_options.repack_in_background = true;  // answer before the repacking ends
    m.session = std::make_unique<Session>(m.model->config(), m.model->weights(), session_options);
    const auto ready = std::chrono::steady_clock::now();
    auto ms = [](auto a, auto b) {
        return std::chrono::duration<double, std::milli>(b - a).count();
    };
    std::fprintf(stderr, "%s: %s\n", options.model_path.c_str(), m.model->describe().c_str());
    std::fprintf(stderr, "%s; loaded in %.0f ms (open %.0f ms, prepare %.0f ms)\n",
                 m.session->describe().c_str(), ms(start, ready), ms(start, opened),
                 ms(opened, ready));
    return m;
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
