#include "server/model_status.h"

#include <cmath>

namespace qe {

const char* model_state_name(ModelState state) {
    switch (state) {
        case ModelState::kLoading:
            return "loading";
        case ModelState::kDownloading:
            return "downloading";
        case ModelState::kDownloadFailed:
            return "download_failed";
    }
    return "loading";
}

double ModelStatusSnapshot::eta_seconds() const {
    if (total == 0 || bytes_per_second <= 0 || bytes > total) return -1;
    return double(total - bytes) / bytes_per_second;
}

nlohmann::ordered_json ModelStatusSnapshot::to_json() const {
    nlohmann::ordered_json j = {{"state", model_state_name(state)}, {"model", model}};
    if (state == ModelState::kLoading) return j;
    j["bytes"] = bytes;
    j["total"] = total;
    j["bytes_per_second"] = std::round(bytes_per_second);
    const double eta = eta_seconds();
    j["eta_seconds"] =
        eta < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(std::ceil(eta));
    if (state == ModelState::kDownloadFailed) {
        j["error"] = error;
        j["help"] = help;
        j["retry_in_seconds"] = retry_in_seconds;
    }
    return j;
}

void ModelStatus::loading(const std::string& model) {
    std::lock_guard<std::mutex> lock(mutex_);
    s_ = {};
    s_.state = ModelState::kLoading;
    s_.model = model;
}

void ModelStatus::downloading(const std::string& model, uint64_t bytes, uint64_t total,
                              double bytes_per_second) {
    std::lock_guard<std::mutex> lock(mutex_);
    s_.state = ModelState::kDownloading;
    s_.model = model;
    s_.bytes = bytes;
    s_.total = total;
    s_.bytes_per_second = bytes_per_second;
    s_.error.clear();
    s_.help.clear();
    s_.retry_in_seconds = 0;
}

void ModelStatus::download_failed(const std::string& error, const std::string& help,
                                  int retry_in_seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    s_.state = ModelState::kDownloadFailed;
    s_.bytes_per_second = 0;
    s_.error = error;
    s_.help = help;
    s_.retry_in_seconds = retry_in_seconds;
}

ModelStatusSnapshot ModelStatus::snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return s_;
}

}  // namespace qe
