// Counters and histograms for GET /metrics, in Prometheus' text format.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "engine/scheduler.h"
#include "server/model_registry.h"

namespace qe {

class Histogram {
public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double v);
    // Appends name_bucket{le=...}, name_sum and name_count lines.
    void render(std::string& out, const std::string& name, const std::string& help) const;

private:
    std::vector<double> bounds_;
    mutable std::mutex mutex_;
    std::vector<uint64_t> counts_;  // per bound, not cumulative; one more for +Inf
    double sum_ = 0;
    uint64_t count_ = 0;
};

class Metrics {
public:
    void count_request(const std::string& endpoint, int status);
    void observe_ttft(double seconds) { ttft_.observe(seconds); }
    void observe_decode_speed(double tokens_per_second) { speed_.observe(tokens_per_second); }

    // The default chat model's engine (when loaded) and the model registry's loads and unloads.
    std::string render(const SchedulerStats* engine, const RegistryStats* models = nullptr) const;

private:
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, int>, uint64_t> requests_;
    Histogram ttft_{{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}};
    Histogram speed_{{1, 2, 5, 10, 20, 40, 80, 160, 320}};
};

}  // namespace qe
