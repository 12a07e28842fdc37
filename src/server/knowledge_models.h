// The embedding and reranking models as a knowledge base sees them: callbacks over texts
// (knowledge/knowledge_base.h) and the embedder record a base keeps. Used by the server and by
// the `kb` and `chat --kb` commands, so that a base is built and searched the same way by both.
#pragma once

#include <string>

#include "engine/embedder.h"
#include "engine/reranker.h"
#include "knowledge/knowledge_base.h"
#include "model/loaded_model.h"

namespace qe {

// The query instruction Qwen3-Embedding's model card uses for retrieval.
inline constexpr const char* kRetrievalInstruction =
    "Given a web search query, retrieve relevant passages that answer the query";

// The record of `model` as a base's embedder: its name, as the digest the SHA-256 recorded at its
// download (FILE.sha256), else its file's size (hashing a model file at every start would take
// seconds), its dims and the query instruction.
knowledge::EmbedderInfo embedder_info(const LoadedModel& model, const Embedder& embedder);

// Passages (documents) to vectors: the text as it is.
knowledge::EmbedTexts embed_passages(const LoadedModel& model, Embedder& embedder);
// A question to its vector: "Instruct: <instruction>\nQuery:<question>".
std::vector<float> embed_query(const LoadedModel& model, Embedder& embedder,
                               const std::string& question);
// (question, passages) -> relevance scores in [0, 1], with the reranker's template.
knowledge::RerankTexts rerank_passages(const LoadedModel& model, Reranker& reranker,
                                       std::string tmpl);

}  // namespace qe
