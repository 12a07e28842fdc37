#include "cli/first_start.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "core/error.h"
#include "fetch/model_pull.h"
#include "fetch/model_store.h"
#include "fetch/progress.h"

namespace qe::cli {
namespace {

namespace fs = std::filesystem;

void say(const std::string& message) {
    std::fprintf(stderr, "qwen-edge: %s\n", message.c_str());
}

// What a user without a network can do instead.
std::string offline_help(const std::string& dir, const std::string& file) {
    return "Without a network: start with --model FILE.gguf, or copy the model file into " + dir +
           " (as " + file +
           "; the server takes it up by itself), or start with --demo (random "
           "weights, for trying things out).";
}

// A model that appeared in the models folder meanwhile (copied by hand), else "".
std::string model_in_folder() {
    try {
        return fetch::resolve_model_option("");
    } catch (const Error&) {
        return "";
    }
}

}  // namespace

void StopFlag::request() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        requested_ = true;
    }
    changed_.notify_all();
}

bool StopFlag::requested() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requested_;
}

bool StopFlag::wait_for(double seconds) const {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::duration<double>(seconds),
                             [this] { return requested_; });
}

std::string download_first_model(ModelStatus& status, const FirstStartOptions& options,
                                 const StopFlag& stop) {
    fetch::PullRequest request;
    request.source = options.source;
    request.allow_unverified = options.allow_unverified;
    request.user_agent = std::string("qwen-edge/") + QE_VERSION;
    request.retries = 2;  // a few quick retries per source; the loop below goes on after a pause
    request.stop_requested = [&stop] { return stop.requested(); };
    const std::string file = fetch::pull_file_name(request);
    const std::string dir = fetch::models_dir();

    fetch::ProgressReporter progress(stderr, fetch::ProgressReporter::stream_is_terminal(stderr),
                                     file);
    fetch::RateMeter rate;
    const auto t0 = std::chrono::steady_clock::now();
    request.on_progress = [&](uint64_t done, uint64_t total) {
        progress.update(done, total);
        rate.add(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                 done);
        status.downloading(file, done, total, rate.bytes_per_second());
    };
    request.on_notice = [&](const std::string& m) {
        progress.interrupt();
        say(m);
    };

    int wait_s = options.first_retry_wait_s;
    while (!stop.requested()) {
        const ModelStatusSnapshot last = status.snapshot();
        status.downloading(file, last.bytes, last.total, 0);
        try {
            const fetch::PullResult r = fetch::pull_model(request);
            const uint64_t bytes = fs::file_size(r.path);
            progress.finish(bytes, bytes);
            say(r.verified ? "SHA-256 verified: " + r.sha256
                           : "not verified (--no-verify): SHA-256 " + r.sha256);
            return r.path;
        } catch (const Error& e) {
            progress.interrupt();
            if (stop.requested()) break;
            const std::string help = offline_help(dir, file);
            say(std::string("cannot download the model: ") + e.what());
            say("the server keeps running and tries again in " + std::to_string(wait_s) + " s. " +
                help);
            status.download_failed(e.what(), help, wait_s);
        }
        // Waits for the next attempt in 1 s steps, taking up a model copied in meanwhile.
        for (int waited = 0; waited < wait_s; ++waited) {
            if (stop.wait_for(1.0)) return "";
            if (std::string found = model_in_folder(); !found.empty()) {
                say("found " + found);
                return found;
            }
        }
        wait_s = std::min(wait_s * 2, options.max_retry_wait_s);
    }
    return "";
}

}  // namespace qe::cli
