// What the server is doing before its model is ready, for GET /health and the 503 a chat request
// gets meanwhile: loading the model, downloading it first (a first start: bytes, speed, time
// left), or waiting to retry a download that failed (with what to do instead).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace qe {

enum class ModelState { kLoading, kDownloading, kDownloadFailed };

// "loading", "downloading", "download_failed".
const char* model_state_name(ModelState state);

struct ModelStatusSnapshot {
    ModelState state = ModelState::kLoading;
    std::string model;  // the file being loaded or downloaded
    uint64_t bytes = 0;
    uint64_t total = 0;  // 0: not known yet
    double bytes_per_second = 0;
    std::string error;  // why the last download attempt failed
    std::string help;   // what the user can do instead (--model FILE, the models folder, --demo)
    int retry_in_seconds = 0;  // when the next attempt starts

    // Seconds left at the current speed; -1 when unknown.
    double eta_seconds() const;
    // The fields of GET /health: {"state","model","bytes","total","bytes_per_second",
    // "eta_seconds","error","help","retry_in_seconds"}, those that apply.
    nlohmann::ordered_json to_json() const;
};

// Written by the thread that prepares the model, read by the HTTP threads.
class ModelStatus {
  public:
    void loading(const std::string& model);
    void downloading(const std::string& model, uint64_t bytes, uint64_t total,
                     double bytes_per_second);
    void download_failed(const std::string& error, const std::string& help, int retry_in_seconds);
    ModelStatusSnapshot snapshot() const;

  private:
    mutable std::mutex mutex_;
    ModelStatusSnapshot s_;
};

}  // namespace qe
