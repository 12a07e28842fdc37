// How a (query, document) pair is written for Qwen3-Reranker. Its model card's prompt, as one
// template with three placeholders:
//   <|im_start|>system\nJudge whether the Document meets the requirements based on the Query and
//   the Instruct provided. Note that the answer can only be "yes" or "no".<|im_end|>\n
//   <|im_start|>user\n<Instruct>: {instruction}\n<Query>: {query}\n<Document>: {document}
//   <|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n
// llama.cpp's reranker conversion stores the same text with the default instruction written in
// (`tokenizer.chat_template.rerank`, {query} and {document} only); a file's template is used as
// it is, as llama.cpp does, unless the request brings an instruction the template has no place
// for: then the card's.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qe {

class LoadedModel;
class Tokenizer;

inline constexpr std::string_view kDefaultRerankInstruction =
    "Given a web search query, retrieve relevant passages that answer the query";

// The model card's template.
std::string_view qwen3_rerank_template();

// The model's template: its file's `tokenizer.chat_template.rerank`, else the card's. Throws
// qe::Error for a file template without {query} or {document}.
std::string rerank_template(const LoadedModel& model);

// The ids of one pair's prompt: the template with its placeholders filled in one pass (a query
// that contains "{document}" stays text). Added-token literals are parsed in the template's own
// text only; the query, document and instruction are text, tokenized as part of the whole (as the
// model card's tokenizer call does). Throws qe::Error for text that is not UTF-8.
std::vector<int> rerank_prompt_ids(const Tokenizer& tokenizer, std::string_view tmpl,
                                   std::string_view query, std::string_view document,
                                   const std::optional<std::string>& instruction);

}  // namespace qe
