// The models folder: where it is, what is in it, removing a model, and finding the model to run
// (with the exact instructions when there is none).
#include "fetch/model_store.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "fetch/sha256.h"
#include "support/expect_error.h"

namespace qe::fetch {
namespace {

namespace fs = std::filesystem;

using test::error_of;

class ModelStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::path(QE_TEST_TMP_DIR) / "model_store" /
               ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        for (const char* v : {"QWEN_EDGE_MODELS", "XDG_CACHE_HOME", "HF_ENDPOINT"}) {
            if (const char* old = std::getenv(v)) saved_.emplace_back(v, old);
            ::unsetenv(v);
        }
    }
    void TearDown() override {
        for (const char* v : {"QWEN_EDGE_MODELS", "XDG_CACHE_HOME"}) ::unsetenv(v);
        for (const auto& [k, v] : saved_) ::setenv(k.c_str(), v.c_str(), 1);
    }
    void touch(const std::string& name, const std::string& content = "GGUF") {
        std::ofstream(dir_ / name, std::ios::binary) << content;
    }

    fs::path dir_;
    std::vector<std::pair<std::string, std::string>> saved_;
};

TEST_F(ModelStoreTest, TheFolderComesFromFlagThenEnvironmentThenXdgThenHome) {
    const char* home = std::getenv("HOME");
    ASSERT_NE(home, nullptr);
    EXPECT_EQ(models_dir(), std::string(home) + "/.cache/qwen-edge/models");
    ::setenv("XDG_CACHE_HOME", "/x/cache", 1);
    EXPECT_EQ(models_dir(), "/x/cache/qwen-edge/models");
    ::setenv("XDG_CACHE_HOME", "relative", 1);  // not absolute: ignored, as the XDG spec says
    EXPECT_EQ(models_dir(), std::string(home) + "/.cache/qwen-edge/models");
    ::setenv("QWEN_EDGE_MODELS", "/srv/models", 1);
    EXPECT_EQ(models_dir(), "/srv/models");
    EXPECT_EQ(models_dir("/flag"), "/flag");
    EXPECT_EQ(default_model_path("/flag"), "/flag/qwen2.5-0.5b-instruct-q8_0.gguf");
}

TEST_F(ModelStoreTest, ListsModelsUnfinishedDownloadsAndRecordedDigests) {
    touch("qwen2.5-0.5b-instruct-q8_0.gguf", "GGUF1234");
    write_sha256_file((dir_ / "qwen2.5-0.5b-instruct-q8_0.gguf").string(), std::string(64, 'c'));
    touch("qwen2.5-0.5b-instruct-q4_0.gguf.part", "GG");
    touch("notes.txt");
    const auto models = list_models(dir_.string());
    ASSERT_EQ(models.size(), 2u);
    EXPECT_EQ(models[0].name, "qwen2.5-0.5b-instruct-q4_0.gguf");
    EXPECT_TRUE(models[0].partial);
    EXPECT_EQ(models[0].bytes, 2u);
    EXPECT_EQ(models[1].name, "qwen2.5-0.5b-instruct-q8_0.gguf");
    EXPECT_FALSE(models[1].partial);
    EXPECT_EQ(models[1].bytes, 8u);
    EXPECT_EQ(models[1].sha256, std::string(64, 'c'));
    EXPECT_TRUE(list_models((dir_ / "absent").string()).empty());
}

TEST_F(ModelStoreTest, TheDigestFileIsInSha256sumFormat) {
    touch("m.gguf", "abc");
    write_sha256_file((dir_ / "m.gguf").string(), sha256_of_file((dir_ / "m.gguf").string()));
    std::ifstream in(dir_ / "m.gguf.sha256");
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  m.gguf");
}

TEST_F(ModelStoreTest, TheRecordedDigestIsReadBackOnlyWhenItIsOne) {
    touch("m.gguf");
    const std::string model = (dir_ / "m.gguf").string();
    EXPECT_EQ(recorded_sha256(model), "");  // none recorded
    write_sha256_file(model, std::string(64, 'A'));
    EXPECT_EQ(recorded_sha256(model), std::string(64, 'a'));
    std::ofstream(model + ".sha256") << "not a digest  m.gguf\n";
    EXPECT_EQ(recorded_sha256(model), "");
}

TEST_F(ModelStoreTest, RemovesAModelWithItsCompanionsAndNamesWhatIsThere) {
    touch("a.gguf");
    touch("a.gguf.sha256", std::string(64, 'c'));
    touch("a.gguf.part");
    touch("b.gguf");
    const auto removed = remove_model(dir_.string(), "a");
    EXPECT_EQ(removed.size(), 3u);
    EXPECT_FALSE(fs::exists(dir_ / "a.gguf"));
    EXPECT_FALSE(fs::exists(dir_ / "a.gguf.part"));
    EXPECT_TRUE(fs::exists(dir_ / "b.gguf"));
    const std::string e = error_of([&] { remove_model(dir_.string(), "a.gguf"); });
    EXPECT_NE(e.find("no model 'a.gguf'"), std::string::npos) << e;
    EXPECT_NE(e.find("b.gguf"), std::string::npos) << e;
    EXPECT_NE(error_of([&] { remove_model(dir_.string(), "../b.gguf"); }).find("not a model name"),
              std::string::npos);
    EXPECT_TRUE(fs::exists(dir_ / "b.gguf"));
}

TEST_F(ModelStoreTest, WithoutAModelTheErrorSaysExactlyHowToGetIt) {
    const std::string e = error_of([&] { resolve_model(std::nullopt, dir_.string()); });
    EXPECT_NE(e.find("qwen-edge pull"), std::string::npos) << e;
    EXPECT_NE(e.find("https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/"
                     "qwen2.5-0.5b-instruct-q8_0.gguf"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find((dir_ / "qwen2.5-0.5b-instruct-q8_0.gguf").string()), std::string::npos) << e;
    EXPECT_NE(e.find("--model"), std::string::npos) << e;
    // A mirror set for the download is the one the hint names.
    ::setenv("HF_ENDPOINT", "https://hf-mirror.example", 1);
    const std::string m = error_of([&] { resolve_model(std::nullopt, dir_.string()); });
    ::unsetenv("HF_ENDPOINT");
    EXPECT_NE(m.find("https://hf-mirror.example/Qwen/"), std::string::npos) << m;
}

TEST_F(ModelStoreTest, FindsTheDefaultThenAnotherOfficialQuant) {
    touch("qwen2.5-0.5b-instruct-q4_k_m.gguf");
    touch("qwen2.5-0.5b-instruct-q8_0.gguf.part");  // unfinished: not a model yet
    EXPECT_EQ(resolve_model(std::nullopt, dir_.string()),
              (dir_ / "qwen2.5-0.5b-instruct-q4_k_m.gguf").string());
    touch("qwen2.5-0.5b-instruct-q8_0.gguf");
    EXPECT_EQ(resolve_model(std::nullopt, dir_.string()),
              (dir_ / "qwen2.5-0.5b-instruct-q8_0.gguf").string());
    ::setenv("QWEN_EDGE_MODELS", dir_.c_str(), 1);
    EXPECT_EQ(resolve_model(std::nullopt), (dir_ / "qwen2.5-0.5b-instruct-q8_0.gguf").string());
}

TEST_F(ModelStoreTest, AGivenModelIsAPathOrANameInTheFolder) {
    touch("qwen2.5-0.5b-instruct-q4_0.gguf");
    touch("mine.gguf");
    const std::string q4 = (dir_ / "qwen2.5-0.5b-instruct-q4_0.gguf").string();
    EXPECT_EQ(resolve_model(q4, "/elsewhere"), q4);
    EXPECT_EQ(resolve_model(std::string("q4_0"), dir_.string()), q4);
    EXPECT_EQ(resolve_model(std::string("qwen2.5-0.5b-instruct-q4_0"), dir_.string()), q4);
    EXPECT_EQ(resolve_model(std::string("mine.gguf"), dir_.string()),
              (dir_ / "mine.gguf").string());
    const std::string e = error_of([&] { resolve_model(std::string("q6_k"), dir_.string()); });
    EXPECT_NE(e.find("no model 'q6_k'"), std::string::npos) << e;
    EXPECT_NE(e.find("mine.gguf"), std::string::npos) << e;
    EXPECT_NE(e.find("qwen-edge pull"), std::string::npos) << e;
    EXPECT_NE(error_of([&] {
                  resolve_model(std::string("/no/such.gguf"), dir_.string());
              }).find("/no/such.gguf: no such file"),
              std::string::npos);
}

TEST_F(ModelStoreTest, ACatalogueNameRunsItsDownloadedFile) {
    touch("Qwen3-0.6B-Q8_0.gguf");
    const std::string q06 = (dir_ / "Qwen3-0.6B-Q8_0.gguf").string();
    for (const char* name :
         {"qwen3:0.6b", "qwen3:0.6b:q8_0", "QWEN3", "Qwen3-0.6B", "Qwen/Qwen3-0.6B-GGUF"}) {
        EXPECT_EQ(resolve_model(std::string(name), dir_.string()), q06) << name;
    }
    // Not the default quantization, but the one downloaded.
    touch("Qwen3-4B-Q8_0.gguf");
    EXPECT_EQ(resolve_model(std::string("qwen3:4b"), dir_.string()),
              (dir_ / "Qwen3-4B-Q8_0.gguf").string());
    touch("Qwen3-4B-Q4_K_M.gguf");
    EXPECT_EQ(resolve_model(std::string("qwen3:4b"), dir_.string()),
              (dir_ / "Qwen3-4B-Q4_K_M.gguf").string());
    // A path that exists wins over any name.
    const std::string mine = (dir_ / "mine.gguf").string();
    touch("mine.gguf");
    EXPECT_EQ(resolve_model(mine, "/elsewhere"), mine);
}

TEST_F(ModelStoreTest, ACatalogueNameNotDownloadedSaysWhichPullGetsIt) {
    touch("Qwen3-4B-Q8_0.gguf");
    const std::string e =
        error_of([&] { resolve_model(std::string("qwen3:1.7b"), dir_.string()); });
    EXPECT_NE(e.find("qwen3:1.7b (Qwen3-1.7B) is not downloaded"), std::string::npos) << e;
    EXPECT_NE(e.find("Qwen3-1.7B-Q8_0.gguf"), std::string::npos) << e;
    EXPECT_NE(e.find("`qwen-edge pull qwen3:1.7b`"), std::string::npos) << e;
    const std::string q =
        error_of([&] { resolve_model(std::string("qwen3:4b:q6_k"), dir_.string()); });
    EXPECT_NE(q.find("no Qwen3-4B-Q6_K.gguf in"), std::string::npos) << q;
    EXPECT_NE(q.find("`qwen-edge pull qwen3:4b:q6_k`"), std::string::npos) << q;
    const std::string split =
        error_of([&] { resolve_model(std::string("qwen2.5:7b:q8_0"), dir_.string()); });
    EXPECT_NE(split.find("split in 3 parts"), std::string::npos) << split;
    const std::string unknown =
        error_of([&] { resolve_model(std::string("llama3"), dir_.string()); });
    EXPECT_NE(unknown.find("not a name of the catalogue (qwen2.5:0.5b"), std::string::npos)
        << unknown;
}

}  // namespace
}  // namespace qe::fetch
