// Keeps folders in sync: calls back when something under them changed. File events (inotify, on
// Linux) say so within a moment; a periodic rescan catches what sends no events: a network share
// (NAS, SMB) changed by other machines, or a system without inotify. The callback re-imports
// (an import skips unchanged files by hash, so a rescan that finds nothing new costs little).
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <vector>

namespace qe::library {

class FolderWatch {
  public:
    FolderWatch(std::vector<std::filesystem::path> paths, std::chrono::seconds rescan_interval);
    ~FolderWatch();
    FolderWatch(const FolderWatch&) = delete;
    FolderWatch& operator=(const FolderWatch&) = delete;

    bool has_events() const { return inotify_fd_ >= 0; }  // false: rescans only

    // Calls on_change() after each burst of file events has been quiet for `settle`, at every
    // rescan interval and after each trigger(); returns after stop(). Runs on the caller's thread.
    void run(const std::function<void()>& on_change,
             std::chrono::milliseconds settle = std::chrono::milliseconds(500));
    void trigger();  // a rescan now (from any thread)
    void stop();     // run() returns (from any thread)

  private:
    void watch_folders();  // adds a watch to every folder under the paths (new ones too)
    void wake();

    std::vector<std::filesystem::path> paths_;
    std::chrono::seconds rescan_interval_;
    int inotify_fd_ = -1;
    int wake_pipe_[2] = {-1, -1};
    std::mutex mutex_;
    bool triggered_ = false, stopped_ = false;
};

}  // namespace qe::library
