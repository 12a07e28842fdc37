#include "server/metrics.h"

#include <cstdio>

namespace qe {
namespace {

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double v) {
    std::lock_guard lock(mutex_);
    size_t i = 0;
    while (i < bounds_.size() && v > bounds_[i]) ++i;
    ++counts_[i];
    sum_ += v;
    ++count_;
}

void Histogram::render(std::string& out, const std::string& name, const std::string& help) const {
    std::lock_guard lock(mutex_);
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
        cumulative += counts_[i];
        out += name + "_bucket{le=\"" + number(bounds_[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += name + "_bucket{le=\"+Inf\"} " + std::to_string(count_) + "\n";
    out += name + "_sum " + number(sum_) + "\n" + name + "_count " + std::to_string(count_) + "\n";
}

void Metrics::count_request(const std::string& endpoint, int status) {
    std::lock_guard lock(mutex_);
    ++requests_[{endpoint, status}];
}

std::string Metrics::render(const SchedulerStats* s, const RegistryStats* models) const {
    std::string out;
    out += "# HELP qwen_edge_requests_total HTTP requests answered, by endpoint and status.\n"
           "# TYPE qwen_edge_requests_total counter\n";
    {
        std::lock_guard lock(mutex_);
        for (const auto& [key, n] : requests_)
            out += "qwen_edge_requests_total{endpoint=\"" + key.first + "\",status=\"" +
                   std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
    }
    auto gauge = [&](const char* name, const char* type, const char* help, double v) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
               name + " " + number(v) + "\n";
    };
    if (s) {
        gauge("qwen_edge_prompt_tokens_total", "counter", "Prompt tokens evaluated.", double(s->prompt_tokens));
        gauge("qwen_edge_cached_prompt_tokens_total", "counter", "Prompt tokens served from the prefix cache.",
              double(s->cached_tokens));
        gauge("qwen_edge_generated_tokens_total", "counter", "Tokens generated.", double(s->generated_tokens));
        gauge("qwen_edge_draft_tokens_total", "counter",
              "Tokens proposed by speculative decoding (finished requests).", double(s->draft_tokens));
        gauge("qwen_edge_draft_accepted_tokens_total", "counter",
              "Proposed tokens the model agreed with (finished requests).", double(s->draft_accepted));
        gauge("qwen_edge_decode_passes_total", "counter",
              "Decode steps of finished requests (a pass decoding three requests counts three); "
              "generated tokens per step = (steps + accepted) / steps.",
              double(s->decode_passes));
        gauge("qwen_edge_queue_depth", "gauge", "Requests waiting for a slot.", s->queued);
        gauge("qwen_edge_active_slots", "gauge", "Slots running a request.", s->active);
        gauge("qwen_edge_slots", "gauge", "Slots (requests decoded together).", s->slots);
        gauge("qwen_edge_kv_cache_used_ratio", "gauge", "Share of KV cache positions holding tokens.",
              s->kv_positions_total ? double(s->kv_positions_used) / double(s->kv_positions_total) : 0);
        gauge("qwen_edge_kv_cache_bytes", "gauge", "Bytes of KV cache allocated.", double(s->kv_bytes));
    }
    if (models) {
        gauge("qwen_edge_model_loads_total", "counter", "Models loaded.", double(models->loads));
        gauge("qwen_edge_model_load_failures_total", "counter", "Model loads that failed.",
              double(models->load_failures));
        out += "# HELP qwen_edge_model_unloads_total Models unloaded, by reason (idle: unused too "
               "long; memory: room for another within the memory budget).\n"
               "# TYPE qwen_edge_model_unloads_total counter\n"
               "qwen_edge_model_unloads_total{reason=\"idle\"} " +
               std::to_string(models->idle_unloads) +
               "\nqwen_edge_model_unloads_total{reason=\"memory\"} " +
               std::to_string(models->memory_unloads) + "\n";
        gauge("qwen_edge_models_loaded", "gauge", "Models loaded now.", models->loaded_models);
        gauge("qwen_edge_models_loaded_bytes", "gauge", "Bytes the loaded models hold.",
              double(models->loaded_bytes));
    }
    ttft_.render(out, "qwen_edge_time_to_first_token_seconds", "Request arrival to first token.");
    speed_.render(out, "qwen_edge_decode_tokens_per_second", "Generation speed per request.");
    return out;
}

}  // namespace qe
