// Atomic writes: the file appears whole or not at all, and errors name the paths.
#include "io/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace qe {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class AtomicFileTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::path(QE_TEST_TMP_DIR) / "atomic_file" /
               ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    fs::path dir_;
};

TEST_F(AtomicFileTest, WritesThroughATemporaryThatDisappears) {
    const auto path = (dir_ / "out.bin").string();
    std::ofstream(path) << "old";
    write_file_atomically(path, [](const ByteSink& sink) {
        sink("new ", 4);
        sink("content", 7);
    });
    EXPECT_EQ(read_file(path), "new content");
    EXPECT_FALSE(fs::exists(path + ".tmp"));
}

TEST_F(AtomicFileTest, AFailedWriteLeavesTheOldFileAndNoTemporary) {
    const auto path = (dir_ / "out.bin").string();
    std::ofstream(path) << "old";
    EXPECT_THROW(write_file_atomically(path,
                                       [](const ByteSink& sink) {
                                           sink("partial", 7);
                                           throw Error("generator failed");
                                       }),
                 Error);
    EXPECT_EQ(read_file(path), "old");
    EXPECT_FALSE(fs::exists(path + ".tmp"));
}

TEST_F(AtomicFileTest, PublishMovesAFinishedFileIntoPlace) {
    const auto tmp = (dir_ / "m.gguf.part").string();
    const auto path = (dir_ / "m.gguf").string();
    std::ofstream(tmp) << "GGUF data";
    publish_file(tmp, path);
    EXPECT_EQ(read_file(path), "GGUF data");
    EXPECT_FALSE(fs::exists(tmp));
    try {
        publish_file(tmp, path);
        FAIL() << "no error for a missing temporary";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(tmp), std::string::npos) << e.what();
    }
    EXPECT_EQ(read_file(path), "GGUF data");
}

}  // namespace
}  // namespace qe
