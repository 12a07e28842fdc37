// The server's import worker: uploads imported one at a time in the background, a bad one listed
// as skipped with its reason (the next still imported), two uploads of one file at once leaving
// one whole document, a queued upload cancelled, a base removed under the queue.
#include "library/import_queue.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace qe::library {
namespace {

namespace fs = std::filesystem;

struct QueueFixture {
    fs::path data;
    Bases bases;
    explicit QueueFixture(const std::string& name)
        : data(fs::path(QE_TEST_TMP_DIR) / name), bases((fs::remove_all(data), data)) {
        bases.create("b");
    }
    fs::path incoming(const std::string& name, const std::string& text) const {
        const fs::path p = bases.incoming_dir() / name;
        std::ofstream(p) << text;
        return p;
    }
};

TEST(ImportQueue, ImportsInTheBackgroundAndListsSkippedFiles) {
    QueueFixture f("import_queue_basic");
    ImportQueue queue(f.bases);
    const fs::path bad = f.incoming("1.doc", "legacy");
    const fs::path good = f.incoming("2.md", "# 标题\n\n报销需要发票。\n");
    queue.enqueue("b", "旧.doc", bad, 6);
    const QueuedDocument q = queue.enqueue("b", "制度.md", good, 20);
    EXPECT_EQ(q.status, "queued");
    EXPECT_TRUE(q.id.starts_with("upload-"));
    queue.wait_idle();

    const auto pending = queue.pending("b");
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].file, "旧.doc");
    EXPECT_EQ(pending[0].status, "skipped");
    EXPECT_TRUE(pending[0].reason.starts_with("legacy_format: ")) << pending[0].reason;
    auto base = f.bases.open("b");
    ASSERT_EQ(base->documents().size(), 1u);
    EXPECT_EQ(base->documents()[0].path, "制度.md");
    EXPECT_FALSE(fs::exists(bad));  // the uploads' files are gone once imported
    EXPECT_FALSE(fs::exists(good));

    EXPECT_TRUE(queue.cancel("b", pending[0].id));
    EXPECT_TRUE(queue.pending("b").empty());
    EXPECT_FALSE(queue.cancel("b", pending[0].id));
}

TEST(ImportQueue, TwoUploadsOfOneFileLeaveOneWholeDocument) {
    QueueFixture f("import_queue_twice");
    ImportQueue queue(f.bases);
    queue.enqueue("b", "a.txt", f.incoming("1.txt", "first version. 第一版。"), 10);
    queue.enqueue("b", "a.txt", f.incoming("2.txt", "second version. 第二版。"), 10);
    queue.wait_idle();
    auto base = f.bases.open("b");
    ASSERT_EQ(base->documents().size(), 1u);
    const auto hits = base->keyword_search("second", 5);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_TRUE(base->keyword_search("first", 5).empty());
    base->check_integrity();
}

TEST(ImportQueue, ARemovedBaseDropsItsUploads) {
    QueueFixture f("import_queue_forget");
    ImportQueue queue(f.bases);
    std::vector<fs::path> files;
    for (int i = 0; i < 20; ++i) {
        files.push_back(f.incoming(std::to_string(i) + ".txt", "text " + std::to_string(i)));
        queue.enqueue("b", std::to_string(i) + ".txt", files.back(), 6);
    }
    queue.forget_base("b");  // returns once the worker is out of the base
    f.bases.remove("b");
    queue.wait_idle();
    EXPECT_TRUE(queue.pending("b").empty());
    for (const auto& p : files) EXPECT_FALSE(fs::exists(p)) << p;
    EXPECT_FALSE(f.bases.exists("b"));
}

}  // namespace
}  // namespace qe::library
