// Model names, quantizations and hub URLs: what `qwen-edge pull NAME --quant Q` downloads.
#include "fetch/model_source.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/error.h"
#include "support/expect_error.h"

namespace qe::fetch {
namespace {

using test::error_of;
using test::throws_error;

// The file of a catalogue entry's quantization, split or not.
std::string named_quant_file(const std::string& short_name, const std::string& quant) {
    for (const auto& e : model_catalogue()) {
        if (e.short_name() == short_name) return e.find_quant(quant)->file;
    }
    return "";
}

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

TEST_F(ModelSourceTest, EveryCatalogueNameResolvesToItsRepositorysFiles) {
    for (const auto& e : model_catalogue()) {
        SCOPED_TRACE(e.short_name());
        const ModelSpec def = resolve_model_name(e.short_name(), "");
        EXPECT_EQ(def.repo, e.hf_repo);
        EXPECT_EQ(def.file, e.find_quant(e.default_quant)->file);
        EXPECT_EQ(def.entry, &e);
        EXPECT_EQ(resolve_model_name(e.display_name, "").file, def.file);
        EXPECT_EQ(resolve_model_name(e.hf_repo, "").file, def.file);
        for (const auto& f : e.quants) {
            if (f.parts > 1) {
                EXPECT_TRUE(
                    throws_error([&] { resolve_model_name(e.short_name() + ":" + f.quant, ""); },
                                 {"split in " + std::to_string(f.parts) + " parts", f.file,
                                  "choose one published whole: " + e.whole_quant_names()}));
                continue;
            }
            EXPECT_EQ(resolve_model_name(e.short_name() + ":" + f.quant, "").file, f.file);
            EXPECT_EQ(resolve_model_name(e.short_name(), f.quant).file, f.file);
            EXPECT_EQ(resolve_model_name(e.display_name + ":" + f.quant, "").file, f.file);
        }
    }
}

TEST_F(ModelSourceTest, CatalogueFilesHaveTheRepositoriesRealNames) {
    EXPECT_EQ(resolve_model_name("qwen3:0.6b", "").file, "Qwen3-0.6B-Q8_0.gguf");
    EXPECT_EQ(resolve_model_name("qwen3:1.7b", "").file, "Qwen3-1.7B-Q8_0.gguf");
    EXPECT_EQ(resolve_model_name("qwen3:4b", "").file, "Qwen3-4B-Q4_K_M.gguf");
    EXPECT_EQ(resolve_model_name("qwen2.5:1.5b", "q8_0").file, "qwen2.5-1.5b-instruct-q8_0.gguf");
    EXPECT_EQ(resolve_model_name("qwen2.5:3b", "").file, "qwen2.5-3b-instruct-q4_k_m.gguf");
    EXPECT_EQ(resolve_model_name("qwen2.5:7b", "").file, "qwen2.5-7b-instruct-q3_k_m.gguf");
    EXPECT_EQ(resolve_model_name("qwen2.5-coder:1.5b:q8_0", "").file,
              "qwen2.5-coder-1.5b-instruct-q8_0.gguf");
    EXPECT_EQ(resolve_model_name("qwen3-embedding:0.6b:f16", "").file,
              "Qwen3-Embedding-0.6B-f16.gguf");
    const ModelSpec reranker = resolve_model_name("qwen3-reranker:0.6b", "");
    EXPECT_EQ(reranker.repo, "ggml-org/Qwen3-Reranker-0.6B-Q8_0-GGUF");
    EXPECT_EQ(reranker.file, "qwen3-reranker-0.6b-q8_0.gguf");
    EXPECT_EQ(named_quant_file("qwen2.5:7b", "q8_0"),
              "qwen2.5-7b-instruct-q8_0-00001-of-00003.gguf");
    EXPECT_EQ(named_quant_file("qwen2.5:3b", "fp16"),
              "qwen2.5-3b-instruct-fp16-00001-of-00002.gguf");
}

TEST_F(ModelSourceTest, CatalogueUrlsOnBothHubs) {
    const ModelSpec spec = resolve_model_name("qwen3:0.6b", "");
    EXPECT_EQ(download_url(spec, Source::kHuggingFace),
              "https://huggingface.co/Qwen/Qwen3-0.6B-GGUF/resolve/main/Qwen3-0.6B-Q8_0.gguf");
    EXPECT_EQ(download_url(spec, Source::kModelScope),
              "https://www.modelscope.cn/models/Qwen/Qwen3-0.6B-GGUF/resolve/master/"
              "Qwen3-0.6B-Q8_0.gguf");
    EXPECT_EQ(modelscope_listing_url(spec),
              "https://www.modelscope.cn/api/v1/models/Qwen/Qwen3-0.6B-GGUF/repo/"
              "files?Revision=master&Recursive=true");
    const ModelSpec reranker = resolve_model_name("qwen3-reranker", "");
    EXPECT_EQ(download_url(reranker, Source::kHuggingFace),
              "https://huggingface.co/ggml-org/Qwen3-Reranker-0.6B-Q8_0-GGUF/resolve/main/"
              "qwen3-reranker-0.6b-q8_0.gguf");
    // ggml-org's conversion has no ModelScope copy: said so, not a 404 later.
    EXPECT_TRUE(throws_error([&] { download_url(reranker, Source::kModelScope); },
                             {"no copy on ModelScope", "--source hf"}));
    EXPECT_TRUE(throws_error([&] { modelscope_listing_url(reranker); }, {"no copy on ModelScope"}));
}

TEST_F(ModelSourceTest, UnknownNamesAndQuantsSayWhatExists) {
    EXPECT_TRUE(throws_error([] { resolve_model_name("llama3", ""); },
                             {"no model 'llama3' in the catalogue", "qwen3:0.6b",
                              "qwen3-embedding:0.6b", "NAME[:SIZE][:QUANT]", "OWNER/REPO:FILE"}));
    EXPECT_TRUE(throws_error([] { resolve_model_name("qwen3:0.6b", "q4_k_m"); },
                             {"has no file in quantization 'q4_k_m'", "choose one of: q8_0"}));
    EXPECT_TRUE(throws_error([] { resolve_model_name("qwen3:4b:q8_0", "q6_k"); },
                             {"names quantization q8_0 and --quant q6_k"}));
    EXPECT_EQ(resolve_model_name("qwen3:4b:q8_0", "Q8_0").file, "Qwen3-4B-Q8_0.gguf");
    // A file name after a catalogue repository is that file, as for any repository.
    const ModelSpec named = resolve_model_name("Qwen/Qwen3-4B-GGUF:Qwen3-4B-Q6_K.gguf", "");
    EXPECT_EQ(named.repo, "Qwen/Qwen3-4B-GGUF");
    EXPECT_EQ(named.file, "Qwen3-4B-Q6_K.gguf");
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

TEST(ModelSource, HuggingFaceListingUrlNamesTheFolderOfTheFile) {
    ::unsetenv("HF_ENDPOINT");
    EXPECT_EQ(huggingface_listing_url({"Qwen/Qwen3-0.6B-GGUF", "Qwen3-0.6B-Q8_0.gguf"}),
              "https://huggingface.co/api/models/Qwen/Qwen3-0.6B-GGUF/tree/main");
    EXPECT_EQ(huggingface_listing_url({"o/r", "sub dir/m.gguf"}),
              "https://huggingface.co/api/models/o/r/tree/main/sub%20dir");
}

TEST(ModelSource, HuggingFaceListingGivesTheLfsDigestOfAFile) {
    const std::string sha(64, 'a');
    const std::string listing =
        R"([{"type":"file","oid":"0123","size":10,"path":"README.md"},)"
        R"({"type":"file","oid":"4567","size":5,"path":"m.gguf",)"
        R"("lfs":{"oid":")" + std::string(64, 'A') + R"(","size":5,"pointerSize":134}},)"
        R"({"type":"file","path":"bad.gguf","lfs":{"oid":"xyz"}},)"
        R"({"type":"file","path":"odd.gguf","lfs":"nope"},)"
        R"({"type":"directory","path":"sub"}])";
    EXPECT_EQ(huggingface_sha256(listing, "m.gguf"), sha);
    EXPECT_EQ(huggingface_sha256(listing, "README.md"), "");  // kept in git, not LFS
    EXPECT_EQ(huggingface_sha256(listing, "bad.gguf"), "");
    EXPECT_EQ(huggingface_sha256(listing, "odd.gguf"), "");
    EXPECT_EQ(huggingface_sha256(listing, "other.gguf"), "");
    EXPECT_EQ(huggingface_sha256(R"({"path":"m.gguf"})", "m.gguf"), "");
    EXPECT_EQ(huggingface_sha256(R"([1,"x",null])", "m.gguf"), "");
    EXPECT_NE(error_of([] { huggingface_sha256("[oops", "m.gguf"); }).find("not valid JSON"),
              std::string::npos);
}

}  // namespace
}  // namespace qe::fetch
