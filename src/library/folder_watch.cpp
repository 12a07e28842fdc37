#include "library/folder_watch.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <system_error>

#include "core/error.h"

#if __has_include(<sys/inotify.h>)
#include <sys/inotify.h>
#define QE_HAVE_INOTIFY 1
#endif

namespace qe::library {
namespace fs = std::filesystem;

FolderWatch::FolderWatch(std::vector<fs::path> paths, std::chrono::seconds rescan_interval)
    : paths_(std::move(paths)), rescan_interval_(rescan_interval) {
    if (::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0)
        throw Error("cannot make the watcher's wake-up pipe");
#ifdef QE_HAVE_INOTIFY
    inotify_fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);  // -1: rescans alone
#endif
    watch_folders();
}

FolderWatch::~FolderWatch() {
    if (inotify_fd_ >= 0) ::close(inotify_fd_);
    ::close(wake_pipe_[0]);
    ::close(wake_pipe_[1]);
}

void FolderWatch::watch_folders() {
#ifdef QE_HAVE_INOTIFY
    if (inotify_fd_ < 0) return;
    constexpr uint32_t kMask = IN_CREATE | IN_DELETE | IN_CLOSE_WRITE | IN_MOVED_FROM |
                               IN_MOVED_TO | IN_DELETE_SELF | IN_MODIFY;
    for (const fs::path& p : paths_) {
        std::error_code ec;
        // A file given alone: its folder's events (the file may be replaced by a rename).
        const fs::path root = fs::is_directory(p, ec) ? p : p.parent_path();
        if (root.empty()) continue;
        ::inotify_add_watch(inotify_fd_, root.c_str(), kMask);
        if (!fs::is_directory(p, ec)) continue;
        for (fs::recursive_directory_iterator
                 it(p, fs::directory_options::skip_permission_denied, ec),
             end;
             !ec && it != end; it.increment(ec)) {
            if (it->is_directory(ec))  // watching a folder twice is harmless: one watch
                ::inotify_add_watch(inotify_fd_, it->path().c_str(), kMask);
        }
    }
#endif
}

void FolderWatch::wake() {
    const char c = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_pipe_[1], &c, 1);
}

void FolderWatch::trigger() {
    {
        std::lock_guard lock(mutex_);
        triggered_ = true;
    }
    wake();
}

void FolderWatch::stop() {
    {
        std::lock_guard lock(mutex_);
        stopped_ = true;
    }
    wake();
}

void FolderWatch::run(const std::function<void()>& on_change, std::chrono::milliseconds settle) {
    using Clock = std::chrono::steady_clock;
    auto next_rescan = Clock::now() + rescan_interval_;
    bool pending = false;  // events seen, waiting for them to settle
    for (;;) {
        pollfd fds[2] = {{wake_pipe_[0], POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
        const auto until_rescan =
            std::chrono::duration_cast<std::chrono::milliseconds>(next_rescan - Clock::now());
        const auto wait = pending ? settle : std::max(std::chrono::milliseconds(0), until_rescan);
        const int n = ::poll(fds, inotify_fd_ >= 0 ? 2 : 1, int(wait.count()));
        char buf[4096];
        if (n > 0 && (fds[0].revents & POLLIN))
            while (::read(wake_pipe_[0], buf, sizeof buf) > 0) {
            }
        bool events = false;
        if (n > 0 && inotify_fd_ >= 0 && (fds[1].revents & POLLIN)) {
            while (::read(inotify_fd_, buf, sizeof buf) > 0) events = true;
        }
        bool triggered;
        {
            std::lock_guard lock(mutex_);
            if (stopped_) return;
            triggered = triggered_;
            triggered_ = false;
        }
        if (events) {
            pending = true;  // wait until the burst is over (a file copied in many writes)
            continue;
        }
        const bool settled = pending && n == 0;
        const bool rescan_due = Clock::now() >= next_rescan;
        if (!(triggered || settled || rescan_due)) continue;
        pending = false;
        on_change();
        watch_folders();  // folders made since
        next_rescan = Clock::now() + rescan_interval_;
    }
}

}  // namespace qe::library
