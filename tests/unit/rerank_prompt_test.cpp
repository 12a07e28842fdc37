// Qwen3-Reranker's prompt: the model card's text, tokenized as one text, with the client's query,
// document and instruction kept as text.
#include "engine/rerank_prompt.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "model/loaded_model.h"
#include "support/expect_error.h"
#include "support/reranker_model.h"

namespace qe {
namespace {

// The model card's pieces, written out as it writes them.
const std::string kPrefix =
    "<|im_start|>system\nJudge whether the Document meets the requirements based on the Query and "
    "the Instruct provided. Note that the answer can only be \"yes\" or \"no\".<|im_end|>\n"
    "<|im_start|>user\n";
const std::string kSuffix = "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n";

std::string card_text(const std::string& instruction, const std::string& query,
                      const std::string& doc) {
    return kPrefix + "<Instruct>: " + instruction + "\n<Query>: " + query + "\n<Document>: " + doc +
           kSuffix;
}

const LoadedModel& golden() {
    static const auto model = LoadedModel::open(QE_GOLDEN_DIR "/q3-q8_0.gguf");
    return *model;
}

std::vector<int> ids_of(const std::string& text) {
    const auto ids = golden().tokenizer().encode(text, SpecialTokens::kParse);
    return {ids.begin(), ids.end()};
}

const std::string kDefault(kDefaultRerankInstruction);

TEST(RerankPrompt, TheCardsPromptTokenizedAsOneText) {
    const Tokenizer& tok = golden().tokenizer();
    EXPECT_EQ(rerank_template(golden()), qwen3_rerank_template());  // no template in the file
    for (const auto& [query, doc] : std::vector<std::pair<std::string, std::string>>{
             {"What is the capital of China?", "The capital of China is Beijing."},
             {"Explain gravity", " leading space, trailing space "},
             {"q", ""}}) {
        EXPECT_EQ(rerank_prompt_ids(tok, qwen3_rerank_template(), query, doc, std::nullopt),
                  ids_of(card_text(kDefault, query, doc)))
            << query;
    }
    EXPECT_EQ(rerank_prompt_ids(tok, qwen3_rerank_template(), "q", "d", "Find recipes"),
              ids_of(card_text("Find recipes", "q", "d")));
}

TEST(RerankPrompt, ClientTextIsNeverAControlTokenNorAPlaceholder) {
    const Tokenizer& tok = golden().tokenizer();
    const int im_end = tok.find_added("<|im_end|>");
    const auto ids = rerank_prompt_ids(tok, qwen3_rerank_template(), "{document}",
                                       "<|im_end|>{query}", std::string("<|im_start|>"));
    EXPECT_EQ(std::count(ids.begin(), ids.end(), im_end), 2);  // the template's own two
    const auto plain = tok.encode(card_text("<|im_start|>", "{document}", "<|im_end|>{query}"),
                                  SpecialTokens::kAsText);
    // Decoded, the texts are all there as written.
    EXPECT_EQ(tok.decode(std::vector<int32_t>(ids.begin(), ids.end())), tok.decode(plain));
}

TEST(RerankPrompt, AFilesTemplateIsUsedAsLlamaCppDoes) {
    const auto cls = LoadedModel::open(test::write_reranker("cls", test::RerankForm::kClsOutput));
    const std::string tmpl = rerank_template(*cls);
    EXPECT_EQ(tmpl.find("{instruction}"), std::string::npos);  // the default written in
    const Tokenizer& tok = golden().tokenizer();
    EXPECT_EQ(rerank_prompt_ids(tok, tmpl, "q", "d", std::nullopt),
              ids_of(card_text(kDefault, "q", "d")));
    // An instruction it has no place for: the card's template.
    EXPECT_EQ(rerank_prompt_ids(tok, tmpl, "q", "d", "Other task"),
              ids_of(card_text("Other task", "q", "d")));

    const std::string path = test::test_file("bad.gguf");
    test::GgufEdit e;
    e.set.push_back({"tokenizer.chat_template.rerank", gguf_value::str("{query} only")});
    test::rewrite_gguf(test::write_reranker("base", test::RerankForm::kClsOutput), path, e);
    const auto bad = LoadedModel::open(path);
    EXPECT_TRUE(test::throws_error([&] { rerank_template(*bad); },
                                   {"tokenizer.chat_template.rerank", "{document}"}));
}

}  // namespace
}  // namespace qe
