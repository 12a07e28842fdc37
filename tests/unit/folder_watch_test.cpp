// The folder watcher calls back on file events (inotify), on trigger() (what a rescan does), and
// stops when asked. Waits are on the callback, never on a clock.
#include "library/folder_watch.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

namespace qe::library {
namespace {

namespace fs = std::filesystem;

struct Calls {
    std::mutex m;
    std::condition_variable cv;
    int n = 0;
    void add() {
        std::lock_guard lock(m);
        ++n;
        cv.notify_all();
    }
    // Waits for the count to pass `seen` (the bound only keeps a broken watcher from hanging).
    bool wait_past(int seen) {
        std::unique_lock lock(m);
        return cv.wait_for(lock, std::chrono::seconds(30), [&] { return n > seen; });
    }
    int count() {
        std::lock_guard lock(m);
        return n;
    }
};

TEST(FolderWatch, FileEventsTriggersAndStop) {
    const fs::path dir = fs::path(QE_TEST_TMP_DIR) / "folder_watch";
    fs::remove_all(dir);
    fs::create_directories(dir / "sub");
    // A rescan interval far beyond the test: every call comes from an event or a trigger.
    FolderWatch watch({dir}, std::chrono::hours(1));
    Calls calls;
    std::thread runner([&] { watch.run([&] { calls.add(); }, std::chrono::milliseconds(50)); });

    watch.trigger();
    ASSERT_TRUE(calls.wait_past(0));
    if (watch.has_events()) {
        const int before = calls.count();
        std::ofstream(dir / "sub" / "new.txt") << "hello";  // a folder below the root
        EXPECT_TRUE(calls.wait_past(before));
        const int again = calls.count();
        fs::remove(dir / "sub" / "new.txt");
        EXPECT_TRUE(calls.wait_past(again));
    }
    watch.stop();
    runner.join();
}

}  // namespace
}  // namespace qe::library
