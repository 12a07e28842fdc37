// Model names, quantizations and hub URLs: what `qwen-edge pull NAME --quant Q` downloads.
#include "fetch/model_source.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/error.h"
#include "support/expect_error.h"

namespace qe::fetch {
namespace {

using test::error_of;

class ModelSourceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ::unsetenv("HF_ENDPOINT");
        ::unsetenv("MODELSCOPE_ENDPOINT");
        ::unsetenv("HF_TOKEN");
    }
    void TearDown() override { SetUp(); }
};

TEST_F(ModelSourceTest, TheDefaultIsTheOfficialQ8File) {
    const ModelSpec spec = resolve_model_name("", "");
    EXPECT_EQ(spec.repo, "Qwen/Qwen2.5-0.5B-Instruct-GGUF");
    EXPECT_EQ(spec.file, "qwen2.5-0.5b-instruct-q8_0.gguf");
    EXPECT_EQ(download_url(spec, Source::kHuggingFace),
              "https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/"
              "qwen2.5-0.5b-instruct-q8_0.gguf");
    EXPECT_EQ(download_url(spec, Source::kModelScope),
              "https://www.modelscope.cn/models/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/master/"
              "qwen2.5-0.5b-instruct-q8_0.gguf");
    EXPECT_EQ(modelscope_listing_url(spec),
              "https://www.modelscope.cn/api/v1/models/Qwen/Qwen2.5-0.5B-Instruct-GGUF/repo/"
              "files?Revision=master&Recursive=true");
}

TEST_F(ModelSourceTest, NamesOfTheDefaultModelAndQuantsAreCaseInsensitive) {
    for (const char* name : {"qwen2.5-0.5b-instruct", "Qwen/Qwen2.5-0.5B-Instruct",
                             "Qwen/Qwen2.5-0.5B-Instruct-GGUF", "QWEN2.5-0.5B"}) {
        EXPECT_EQ(resolve_model_name(name, "Q4_K_M").file, "qwen2.5-0.5b-instruct-q4_k_m.gguf")
            << name;
    }
    EXPECT_EQ(resolve_model_name("", "f16").file, "qwen2.5-0.5b-instruct-fp16.gguf");
    EXPECT_EQ(official_quants().front(), kDefaultQuant);
}

TEST_F(ModelSourceTest, AnUnknownQuantListsTheOfficialOnes) {
    const std::string e = error_of([] { resolve_model_name("", "q3_k_s"); });
    EXPECT_NE(e.find("'q3_k_s'"), std::string::npos) << e;
    EXPECT_NE(e.find("q8_0, q4_0, q4_k_m"), std::string::npos) << e;
}

TEST_F(ModelSourceTest, OtherRepositoriesNameTheirFile) {
    ModelSpec a = resolve_model_name(
        "bartowski/Qwen2.5-0.5B-Instruct-GGUF:Qwen2.5-0.5B-Instruct-Q6_K.gguf", "");
    EXPECT_EQ(a.repo, "bartowski/Qwen2.5-0.5B-Instruct-GGUF");
    EXPECT_EQ(a.file, "Qwen2.5-0.5B-Instruct-Q6_K.gguf");
    ModelSpec b = resolve_model_name("me/models/sub/m.gguf", "");
    EXPECT_EQ(b.repo, "me/models");
    EXPECT_EQ(b.file, "sub/m.gguf");
    EXPECT_NE(
        error_of([] { resolve_model_name("me/models:../../etc/passwd", ""); }).find("cannot read"),
        std::string::npos);
    EXPECT_NE(error_of([] { resolve_model_name("llama", ""); }).find("OWNER/REPO:FILE"),
              std::string::npos);
    EXPECT_NE(error_of([] { resolve_model_name("a/b:c.gguf", "q4_0"); }).find("--quant"),
              std::string::npos);
}

TEST_F(ModelSourceTest, EndpointsComeFromTheEnvironment) {
    ::setenv("HF_ENDPOINT", "https://hf-mirror.example/", 1);
    ::setenv("MODELSCOPE_ENDPOINT", "http://127.0.0.1:9", 1);
    const ModelSpec spec{"o/r", "a b.gguf"};
    EXPECT_EQ(download_url(spec, Source::kHuggingFace),
              "https://hf-mirror.example/o/r/resolve/main/a%20b.gguf");
    EXPECT_EQ(download_url(spec, Source::kModelScope),
              "http://127.0.0.1:9/models/o/r/resolve/master/a%20b.gguf");
}

TEST_F(ModelSourceTest, AHuggingFaceTokenGoesOnlyToHuggingFace) {
    EXPECT_TRUE(source_headers(Source::kHuggingFace).empty());
    ::setenv("HF_TOKEN", "hf_secret", 1);
    ASSERT_EQ(source_headers(Source::kHuggingFace).size(), 1u);
    EXPECT_EQ(source_headers(Source::kHuggingFace)[0], "Authorization: Bearer hf_secret");
    EXPECT_TRUE(source_headers(Source::kModelScope).empty());
}

TEST_F(ModelSourceTest, ParsesSourceNames) {
    EXPECT_EQ(parse_source("HF"), Source::kHuggingFace);
    EXPECT_EQ(parse_source("modelscope"), Source::kModelScope);
    EXPECT_NE(error_of([] { parse_source("github"); }).find("hf"), std::string::npos);
}

TEST_F(ModelSourceTest, ReadsTheDigestFromAModelScopeListing) {
    const std::string sha(64, 'b');
    const std::string listing = R"({"Code":200,"Data":{"Files":[
        {"Name":"README.md","Path":"README.md","Sha256":"x","Size":10,"Type":"blob"},
        {"Name":"m.gguf","Path":"m.gguf","Sha256":")" +
                                sha + R"(","Size":99,"Type":"blob"}]}})";
    EXPECT_EQ(modelscope_sha256(listing, "m.gguf"), sha);
    EXPECT_EQ(modelscope_sha256(listing, "README.md"), "");  // not a SHA-256
    EXPECT_EQ(modelscope_sha256(listing, "other.gguf"), "");
    EXPECT_EQ(modelscope_sha256(R"({"Data":{"Files":"nope"}})", "m.gguf"), "");
    EXPECT_EQ(modelscope_sha256(R"([1,2])", "m.gguf"), "");
    EXPECT_NE(error_of([] { modelscope_sha256("{oops", "m.gguf"); }).find("not valid JSON"),
              std::string::npos);
}

}  // namespace
}  // namespace qe::fetch
