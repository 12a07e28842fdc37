// Downloads started through the API (POST /v1/models/{name}/pull): a catalogue model's file into
// the models folder with the same resumable, checked download as `qwen-edge pull`, each on a
// thread of its own, its progress readable while it runs (GET /v1/models shows it), cancelled by
// DELETE /v1/models/{name}/pull.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace qe {

struct DownloadState {
    std::string file;               // the file name in the models folder
    uint64_t bytes = 0, total = 0;  // total 0 while unknown
    double bytes_per_second = 0;
    bool running = true;
    bool cancel_requested = false;  // cancel() asked it to stop: it does within about a second
    bool cancelled = false;         // it ended because cancel() asked (not an error)
    std::string error;              // why it stopped, when it failed
};

class ModelDownloads {
  public:
    explicit ModelDownloads(std::string models_dir);
    // Running downloads go on until the process ends; their threads hold only shared state.
    ~ModelDownloads() = default;

    // Starts downloading the catalogue model `name` (NAME[:SIZE][:QUANT]) unless it is
    // downloading already; returns its key, the model's short name. Throws qe::Error for a name
    // the catalogue does not know (listing the ones it does) or no models folder.
    std::string start(const std::string& name);
    // Asks the running download of the catalogue model `name` to stop; returns its key. The part
    // already downloaded stays in the models folder, so starting it again resumes there. Throws
    // qe::Error when the name is not in the catalogue or no download of it runs.
    std::string cancel(const std::string& name);
    // Every download started, running or ended, by key.
    std::map<std::string, DownloadState> states() const;
    // Waits until the download `key` has ended or `timeout` passed; true when it has ended.
    bool wait(const std::string& key, std::chrono::milliseconds timeout) const;

  private:
    struct Shared {
        mutable std::mutex mutex;
        mutable std::condition_variable ended;
        std::map<std::string, DownloadState> states;
    };
    std::string models_dir_;
    std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
};

}  // namespace qe
