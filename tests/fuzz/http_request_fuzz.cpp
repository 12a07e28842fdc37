// Any bytes as what a client sends on a connection: cpp-httplib's request parsing, our limits
// (body size) and the Api (routing, static files, JSON bodies, generation) exactly as a
// connection runs them, through HttpServer::answer_raw. With the small golden model (or the one
// named by QE_FUZZ_MODEL) the API is ready, so requests that parse also generate (a few tokens).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "model/loaded_model.h"
#include "engine/scheduler.h"
#include "server/api.h"
#include "server/http_server.h"

namespace {

struct Target {
    std::unique_ptr<qe::Api> api;
    std::unique_ptr<qe::HttpServer> server;

    Target() {
        qe::ApiOptions options;
        options.limits.max_tokens = 4;  // keeps each generation short
        options.answer_room = 4;
        api = std::make_unique<qe::Api>(options);
        const char* env = std::getenv("QE_FUZZ_MODEL");
        const std::string path = env ? env : QE_GOLDEN_DIR "/g448-q8_0.gguf";
        if (std::filesystem::exists(path)) {
            auto model = qe::LoadedModel::open(path);
            qe::SchedulerOptions so;
            so.slots = 2;
            so.max_queue = 2;
            so.n_ctx = 256;
            so.n_threads = 1;
            auto scheduler = std::make_unique<qe::Scheduler>(model->config(), model->weights(), so);
            api->set_ready(std::move(model), std::move(scheduler));
        }
        qe::HttpOptions http;
        http.max_body_bytes = 16384;
        server = std::make_unique<qe::HttpServer>(http, *api);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Target target;
    target.server->answer_raw(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
