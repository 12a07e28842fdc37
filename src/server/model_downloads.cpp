#include "server/model_downloads.h"

#include <filesystem>
#include <thread>

#include "core/error.h"
#include "fetch/catalogue_names.h"
#include "fetch/model_pull.h"
#include "fetch/model_source.h"
#include "fetch/progress.h"

namespace qe {

ModelDownloads::ModelDownloads(std::string models_dir) : models_dir_(std::move(models_dir)) {}

namespace {

fetch::CatalogueChoice catalogue_choice(const std::string& name) {
    const std::optional<fetch::CatalogueChoice> choice = fetch::parse_catalogue_name(name);
    if (!choice)
        throw Error("'" + name + "' is not a model of the catalogue; the ones that can be " +
                    "downloaded are " + fetch::catalogue_short_names());
    return *choice;
}

}  // namespace

std::string ModelDownloads::start(const std::string& name) {
    if (models_dir_.empty()) throw Error("this server has no models folder to download into");
    const fetch::CatalogueChoice choice = catalogue_choice(name);
    const fetch::ModelSpec spec = fetch::catalogue_file(*choice.entry, choice.quant);
    const std::string key = choice.entry->short_name();
    const std::string file = std::filesystem::path(spec.file).filename().string();
    const std::string dest = (std::filesystem::path(models_dir_) / file).string();
    std::error_code ec;
    const bool there = std::filesystem::is_regular_file(dest, ec);
    {
        std::lock_guard lock(shared_->mutex);
        auto it = shared_->states.find(key);
        if (it != shared_->states.end() && it->second.running) {
            it->second.cancel_requested = false;  // started again while stopping: it goes on
            return key;
        }
        DownloadState s;
        s.file = file;
        s.running = !there;  // a file already there is not downloaded again
        shared_->states[key] = s;
        if (there) return key;
    }
    // As `qwen-edge pull` downloads: from $QWEN_EDGE_SOURCE, else Hugging Face, then ModelScope
    // when that fails; checked against the SHA-256 the source states.
    fetch::PullRequest request;
    request.name = name;
    request.models_dir = models_dir_;
    request.source = fetch::source_from_environment();
    // The thread holds the shared state alone, so the server may stop while it runs.
    std::thread([shared = shared_, key, request]() mutable {
        auto rate = std::make_shared<fetch::RateMeter>();
        const auto t0 = std::chrono::steady_clock::now();
        request.on_progress = [&shared, &key, rate, t0](uint64_t done, uint64_t total) {
            rate->add(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                      done);
            std::lock_guard lock(shared->mutex);
            DownloadState& s = shared->states[key];
            s.bytes = done;
            s.total = total;
            s.bytes_per_second = rate->bytes_per_second();
        };
        for (;;) {
            bool stopped = false;  // this attempt stopped because a cancel was asked
            request.stop_requested = [&shared, &key, &stopped] {
                std::lock_guard lock(shared->mutex);
                stopped = stopped || shared->states[key].cancel_requested;
                return stopped;
            };
            std::string error;
            uint64_t bytes = 0;
            try {
                const fetch::PullResult r = fetch::pull_model(request);
                bytes = std::filesystem::file_size(r.path);
            } catch (const std::exception& e) {
                error = e.what();
            }
            std::lock_guard lock(shared->mutex);
            DownloadState& s = shared->states[key];
            const bool cancelled = stopped && !error.empty();  // it may have ended just before
            // Started again after it had begun to stop: it resumes where it stopped.
            if (cancelled && !s.cancel_requested) continue;
            s.running = false;
            s.cancel_requested = false;
            s.cancelled = cancelled;
            s.error = cancelled ? "" : error;
            if (error.empty()) s.bytes = s.total = bytes;
            shared->ended.notify_all();
            return;
        }
    }).detach();
    return key;
}

std::string ModelDownloads::cancel(const std::string& name) {
    const std::string key = catalogue_choice(name).entry->short_name();
    std::lock_guard lock(shared_->mutex);
    auto it = shared_->states.find(key);
    if (it == shared_->states.end() || !it->second.running)
        throw Error("no download of '" + key + "' is running");
    it->second.cancel_requested = true;
    return key;
}

std::map<std::string, DownloadState> ModelDownloads::states() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->states;
}

bool ModelDownloads::wait(const std::string& key, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(shared_->mutex);
    return shared_->ended.wait_for(lock, timeout, [&] {
        auto it = shared_->states.find(key);
        return it != shared_->states.end() && !it->second.running;
    });
}

}  // namespace qe
