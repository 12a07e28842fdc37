// The catalogue of models known by name: the table holds together (every default is a whole file of
// its repository, no file or name twice), and names NAME[:SIZE][:QUANT] or full model and
// repository names find their entry.
#include "fetch/model_catalogue.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "fetch/ascii.h"
#include "fetch/catalogue_names.h"
#include "support/expect_error.h"

namespace qe::fetch {
namespace {

using test::error_of;
using test::throws_error;

const CatalogueEntry& named(const std::string& name) {
    const auto choice = parse_catalogue_name(name);
    if (!choice) throw Error("test: no entry '" + name + "'");
    return *choice->entry;
}

TEST(ModelCatalogue, HoldsTheModelsOfTheIssue) {
    std::set<std::string> names;
    for (const auto& e : model_catalogue()) names.insert(e.short_name());
    EXPECT_EQ(names,
              (std::set<std::string>{"qwen2.5:0.5b", "qwen2.5:1.5b", "qwen2.5:3b", "qwen2.5:7b",
                                     "qwen2.5-coder:0.5b", "qwen2.5-coder:1.5b", "qwen3:0.6b",
                                     "qwen3:1.7b", "qwen3:4b", "qwen3.5:0.8b", "qwen3.5:2b",
                                     "qwen3-embedding:0.6b", "qwen3-reranker:0.6b"}));
    EXPECT_EQ(default_catalogue_entry().short_name(), "qwen2.5:0.5b");
    EXPECT_EQ(catalogue_short_names().rfind("qwen2.5:0.5b, qwen2.5:1.5b", 0), 0u);
}

TEST(ModelCatalogue, EveryEntryHoldsTogether) {
    std::set<std::string> files;
    for (const auto& e : model_catalogue()) {
        SCOPED_TRACE(e.short_name());
        EXPECT_FALSE(e.quants.empty());
        const QuantFile* def = e.find_quant(e.default_quant);
        ASSERT_NE(def, nullptr);
        EXPECT_EQ(def->parts, 1) << "the default must be a file published whole";
        EXPECT_GT(e.parameters, 0u);
        EXPECT_TRUE(!e.thinking_default || e.thinks);
        EXPECT_NE(e.hf_repo.find('/'), std::string::npos);
        EXPECT_TRUE(e.modelscope_repo.empty() || e.modelscope_repo == e.hf_repo);
        for (const auto& f : e.quants) {
            EXPECT_TRUE(files.insert(f.file).second) << f.file << " twice";
            EXPECT_TRUE(f.file.ends_with(".gguf")) << f.file;
            // The quantization is in the file name, as the repositories name their files.
            EXPECT_NE(ascii_lower(f.file).find(ascii_lower(f.quant)), std::string::npos) << f.file;
            EXPECT_EQ(f.parts > 1, f.file.find("-00001-of-0000") != std::string::npos) << f.file;
            EXPECT_EQ(catalogue_entry_of_file("/somewhere/" + f.file), &e);
        }
        EXPECT_EQ(catalogue_entry_of_repo(ascii_lower(e.hf_repo)), &e);
    }
    EXPECT_EQ(catalogue_entry_of_file("mine.gguf"), nullptr);
    EXPECT_EQ(catalogue_entry_of_repo("Qwen/Qwen3-8B-GGUF"), nullptr);
}

TEST(ModelCatalogue, KnowsWhatEachModelIsAndWhetherItThinks) {
    EXPECT_EQ(named("qwen3-embedding:0.6b").kind, ModelKind::kEmbedding);
    EXPECT_EQ(named("qwen3-reranker:0.6b").kind, ModelKind::kRerank);
    EXPECT_STREQ(kind_name(ModelKind::kRerank), "rerank");
    EXPECT_EQ(named("qwen2.5:7b").kind, ModelKind::kChat);
    // Qwen3 thinks; the small ones start without, so answers come sooner.
    EXPECT_TRUE(named("qwen3:0.6b").thinks);
    EXPECT_FALSE(named("qwen3:0.6b").thinking_default);
    EXPECT_FALSE(named("qwen3:1.7b").thinking_default);
    EXPECT_TRUE(named("qwen3:4b").thinking_default);
    // Qwen3.5's small sizes think when asked; a chat starts without, as Qwen ships them.
    EXPECT_TRUE(named("qwen3.5:0.8b").thinks);
    EXPECT_FALSE(named("qwen3.5:0.8b").thinking_default);
    EXPECT_FALSE(named("qwen3.5:2b").thinking_default);
    EXPECT_EQ(named("qwen3.5:0.8b").default_quant, "q8_0");
    EXPECT_FALSE(named("qwen2.5:7b").thinks);
    EXPECT_FALSE(named("qwen3-embedding:0.6b").thinks);
}

TEST(ModelCatalogue, QuantsAreFoundInAnyCaseAndF16IsFp16) {
    const CatalogueEntry& e = named("qwen2.5:0.5b");
    EXPECT_EQ(e.find_quant("Q4_K_M")->file, "qwen2.5-0.5b-instruct-q4_k_m.gguf");
    EXPECT_EQ(e.find_quant("f16")->file, "qwen2.5-0.5b-instruct-fp16.gguf");
    EXPECT_EQ(named("qwen3-embedding").find_quant("fp16")->file, "Qwen3-Embedding-0.6B-f16.gguf");
    EXPECT_EQ(e.find_quant("q3_k_s"), nullptr);
    EXPECT_EQ(named("qwen2.5:7b").whole_quant_names(), "q3_k_m, q2_k");
}

TEST(CatalogueNames, ShortNamesWithSizeAndQuant) {
    auto c = parse_catalogue_name("qwen2.5:1.5b:q4_k_m");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->entry->display_name, "Qwen2.5-1.5B-Instruct");
    EXPECT_EQ(c->quant, "q4_k_m");
    c = parse_catalogue_name("QWEN3:4B");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->entry->display_name, "Qwen3-4B");
    EXPECT_EQ(c->quant, "");
    EXPECT_EQ(named("qwen2.5-coder:1.5b").display_name, "Qwen2.5-Coder-1.5B-Instruct");
    // A family alone is its smallest model; a quant may follow it directly.
    EXPECT_EQ(named("qwen3").display_name, "Qwen3-0.6B");
    EXPECT_EQ(named("qwen3-embedding").display_name, "Qwen3-Embedding-0.6B");
    c = parse_catalogue_name("qwen2.5:q4_0");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->entry->short_name(), "qwen2.5:0.5b");
    EXPECT_EQ(c->quant, "q4_0");
}

TEST(CatalogueNames, FullModelAndRepositoryNames) {
    for (const char* name : {"Qwen3-0.6B", "qwen3-0.6b", "Qwen/Qwen3-0.6B", "Qwen/Qwen3-0.6B-GGUF",
                             "Qwen3-0.6B-GGUF"}) {
        EXPECT_EQ(named(name).short_name(), "qwen3:0.6b") << name;
    }
    for (const char* name : {"qwen2.5-1.5b-instruct", "Qwen2.5-1.5B", "Qwen/Qwen2.5-1.5B-Instruct",
                             "Qwen/Qwen2.5-1.5B-Instruct-GGUF"}) {
        EXPECT_EQ(named(name).short_name(), "qwen2.5:1.5b") << name;
    }
    EXPECT_EQ(named("ggml-org/Qwen3-Reranker-0.6B-Q8_0-GGUF").short_name(), "qwen3-reranker:0.6b");
    EXPECT_EQ(named("Qwen/Qwen3-Reranker-0.6B").short_name(), "qwen3-reranker:0.6b");
    const auto c = parse_catalogue_name("Qwen3-4B:Q8_0");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->quant, "q8_0");
    EXPECT_FALSE(parse_catalogue_name("llama3:8b"));
    EXPECT_FALSE(parse_catalogue_name("Qwen/Qwen3-8B-GGUF"));
    EXPECT_FALSE(parse_catalogue_name("q4_0"));
}

TEST(CatalogueNames, AMissingSizeOrQuantListsWhatThereIs) {
    EXPECT_TRUE(throws_error([] { parse_catalogue_name("qwen3:8b"); },
                             {"no qwen3 model of size 8b", "qwen3:0.6b, qwen3:1.7b, qwen3:4b"}));
    EXPECT_TRUE(throws_error([] { parse_catalogue_name("qwen3:0.6b:q4_k_m"); },
                             {"Qwen3-0.6B (Qwen/Qwen3-0.6B-GGUF) has no file in quantization "
                              "'q4_k_m'",
                              "choose one of: q8_0"}));
    EXPECT_TRUE(throws_error([] { parse_catalogue_name("Qwen3-4B:q2_k"); },
                             {"'q2_k'", "q4_k_m, q5_0, q5_k_m, q6_k, q8_0"}));
    EXPECT_TRUE(throws_error([] { parse_catalogue_name("qwen3:0.6b:q8_0:x"); },
                             {"cannot read", "NAME[:SIZE][:QUANT]"}));
}

}  // namespace
}  // namespace qe::fetch
