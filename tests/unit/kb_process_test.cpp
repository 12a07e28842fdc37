// `qwen-edge kb add` as a long-running process: killed with SIGKILL in the middle of a big import
// it leaves a base that opens, passes its integrity check and holds whole documents only, and a
// second add completes it; with --watch it picks up a new file from its file event and a removed
// one. Every wait is on the process's own output (its progress lines).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "knowledge/knowledge_base.h"
#include "support/live_server.h"
#include "support/run_command.h"

namespace qe {
namespace {

namespace fs = std::filesystem;

const std::string kBinary = std::string(QE_BIN_DIR) + "/qwen-edge";

// A child process with its stdout and stderr in a log file.
class Child {
  public:
    Child(std::vector<std::string> args, const fs::path& log) : log_(log) {
        args.insert(args.begin(), kBinary);
        pid_ = ::fork();
        if (pid_ == 0) {
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
    }
    ~Child() { kill(SIGKILL); }
    std::string output() const {
        std::ifstream in(log_);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }
    // Waits for `text` in the output (false if the process ends first or it never comes).
    bool wait_for(const std::string& text) const {
        return test::wait_until(
                   [&] { return output().find(text) != std::string::npos || !running(); }, 120) &&
               output().find(text) != std::string::npos;
    }
    bool running() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }
    void kill(int sig) {
        if (pid_ <= 0) return;
        ::kill(pid_, sig);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

  private:
    fs::path log_;
    pid_t pid_ = -1;
};

fs::path fresh(const std::string& name) {
    const fs::path root = fs::path(QE_TEST_TMP_DIR) / name;
    fs::remove_all(root);
    fs::create_directories(root / "docs");
    return root;
}

TEST(KbProcess, KilledMidImportLeavesWholeDocumentsAndASecondAddCompletesIt) {
    const fs::path root = fresh("kb_kill");
    constexpr int kFiles = 400;
    for (int i = 0; i < kFiles; ++i) {
        std::ofstream out(root / "docs" / ("doc" + std::to_string(1000 + i) + ".md"));
        for (int s = 0; s < 6; ++s) {
            out << "# 第" << s << "节\n\n";
            for (int k = 0; k < 40; ++k)
                out << "文档" << i << "的第" << s << "节第" << k << "句，讲报销和请假的规定。";
            out << "\n\n";
        }
    }
    const std::string data = (root / "data").string();
    ASSERT_EQ(
        test::run_command(kBinary + " kb create b --data-dir " + test::shell_quote(data)).exit_code,
        0);
    {
        Child add({"kb", "add", "b", (root / "docs").string(), "--data-dir", data},
                  root / "add1.log");
        ASSERT_TRUE(add.wait_for("kb: 20/" + std::to_string(kFiles) + " files")) << add.output();
        ASSERT_TRUE(add.running()) << "the import ended before it could be killed";
        add.kill(SIGKILL);
    }
    const std::string path = (root / "data" / "knowledge" / "b.sqlite").string();
    std::map<std::string, int64_t> after_kill;
    {
        knowledge::KnowledgeBase base(path);
        base.check_integrity();
        for (const auto& d : base.documents()) after_kill[d.path] = d.chunk_count;
    }
    EXPECT_GE(after_kill.size(), 19u);
    EXPECT_LT(after_kill.size(), size_t(kFiles));

    const auto second =
        test::run_command(kBinary + " kb add b " + test::shell_quote((root / "docs").string()) +
                          " --data-dir " + test::shell_quote(data) + " 2>&1");
    ASSERT_EQ(second.exit_code, 0) << second.output;
    // What was there was whole: unchanged now, and with the chunks a full import gives.
    EXPECT_NE(
        second.output.find(std::to_string(kFiles - after_kill.size()) + " added, 0 updated, " +
                           std::to_string(after_kill.size()) + " unchanged"),
        std::string::npos)
        << second.output.substr(second.output.size() > 300 ? second.output.size() - 300 : 0);
    knowledge::KnowledgeBase base(path);
    base.check_integrity();
    const auto docs = base.documents();
    ASSERT_EQ(docs.size(), size_t(kFiles));
    for (const auto& d : docs)
        if (after_kill.count(d.path)) EXPECT_EQ(after_kill[d.path], d.chunk_count) << d.path;
}

TEST(KbProcess, WatchPicksUpNewAndRemovedFiles) {
    const fs::path root = fresh("kb_watch");
    std::ofstream(root / "docs" / "a.txt") << "alpha text about expenses.\n";
    const std::string data = (root / "data").string();
    ASSERT_EQ(
        test::run_command(kBinary + " kb create w --data-dir " + test::shell_quote(data)).exit_code,
        0);
    Child watch({"kb", "add", "w", (root / "docs").string(), "--watch", "--rescan", "3600",
                 "--data-dir", data},
                root / "watch.log");
    ASSERT_TRUE(watch.wait_for("kb: watching 1 path(s) (file events")) << watch.output();
    fs::create_directories(root / "docs" / "new");
    std::ofstream(root / "docs" / "new" / "b.md") << "# B\n\nbravo text.\n";
    EXPECT_TRUE(watch.wait_for("1 added, 0 updated, 1 unchanged")) << watch.output();
    fs::remove(root / "docs" / "a.txt");
    EXPECT_TRUE(watch.wait_for("kb: removed " + (root / "docs" / "a.txt").string()))
        << watch.output();
    EXPECT_TRUE(watch.running());
    watch.kill(SIGTERM);
    const auto list =
        test::run_command(kBinary + " kb list w --data-dir " + test::shell_quote(data));
    EXPECT_NE(list.output.find("b.md"), std::string::npos) << list.output;
    EXPECT_EQ(list.output.find("a.txt"), std::string::npos) << list.output;
}

}  // namespace
}  // namespace qe
