// GET /v1/models says whether a chat starts with thinking on: a catalogue file as its catalogue
// entry says (found by the served file's name), any other file only from 2B parameters.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/scheduler.h"
#include "model/loaded_model.h"
#include "server/api.h"
#include "support/thinking_model.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// /v1/models of an Api serving the small thinking model saved under the name `file_name`; a
// folder of that name stands in for the file, as the catalogue matches the name alone.
json thinking_of_model_named(const std::string& file_name) {
    const fs::path dir = fs::path(QE_TEST_TMP_DIR) / "api_thinking_default" /
                         testing::UnitTest::GetInstance()->current_test_info()->name() / file_name;
    write_thinking_model(dir);
    auto model = LoadedModel::open(dir.string());
    SchedulerOptions so;
    so.slots = 1;
    so.n_ctx = 64;
    so.n_threads = 1;
    auto scheduler = std::make_unique<Scheduler>(model->config(), model->weights(), so);
    Api api(ApiOptions{});
    api.set_ready(std::move(model), std::move(scheduler));
    return json::parse(api.handle({"GET", "/v1/models", {}, ""}).body)["data"][0]["thinking"];
}

TEST(ApiThinkingDefault, ACatalogueFileTakesItsEntrysDefault) {
    // The tiny model has far under 2B parameters: only the catalogue turns thinking on.
    EXPECT_EQ(thinking_of_model_named("Qwen3-4B-Q4_K_M.gguf"),
              json({{"supported", true}, {"default", true}}));
    EXPECT_EQ(thinking_of_model_named("Qwen3-1.7B-Q8_0.gguf"),
              json({{"supported", true}, {"default", false}}));
}

TEST(ApiThinkingDefault, OtherFilesFollowTheParameterCount) {
    EXPECT_EQ(thinking_of_model_named("my-model.gguf"),
              json({{"supported", true}, {"default", false}}));
}

}  // namespace
}  // namespace qe
