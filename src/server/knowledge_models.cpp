#include "server/knowledge_models.h"

#include "engine/rerank_prompt.h"
#include "fetch/model_store.h"

namespace qe {
namespace {

std::vector<int> ids_of(const LoadedModel& model, const std::string& text) {
    const auto encoded = model.tokenizer().encode(text, SpecialTokens::kAsText);
    return {encoded.begin(), encoded.end()};
}

}  // namespace

knowledge::EmbedderInfo embedder_info(const LoadedModel& model, const Embedder& embedder) {
    knowledge::EmbedderInfo info;
    info.name = model.id();
    const std::string sha256 = fetch::recorded_sha256(model.file().path());
    info.digest = sha256.empty() ? "size:" + std::to_string(model.file().file_bytes())
                                 : "sha256:" + sha256;
    info.dims = embedder.dim();
    info.instruction = kRetrievalInstruction;
    return info;
}

knowledge::EmbedTexts embed_passages(const LoadedModel& model, Embedder& embedder) {
    return [&model, &embedder](std::span<const std::string> texts) {
        std::vector<std::vector<int>> inputs;
        inputs.reserve(texts.size());
        for (const std::string& t : texts) {
            std::vector<int> ids = ids_of(model, t);
            // A chunk longer than the embedder's context keeps its start: the chunker's limit
            // is an estimate, and a vector of most of a chunk still finds it.
            const size_t room = size_t(std::max(1, embedder.n_ctx() - 1));
            if (ids.size() > room) ids.resize(room);
            inputs.push_back(std::move(ids));
        }
        return embedder.embed(inputs).vectors;
    };
}

std::vector<float> embed_query(const LoadedModel& model, Embedder& embedder,
                               const std::string& question) {
    std::vector<int> ids =
        ids_of(model, std::string("Instruct: ") + kRetrievalInstruction + "\nQuery:" + question);
    const size_t room = size_t(std::max(1, embedder.n_ctx() - 1));
    if (ids.size() > room) ids.resize(room);
    const std::vector<std::vector<int>> one = {std::move(ids)};
    return std::move(embedder.embed(one).vectors[0]);
}

knowledge::RerankTexts rerank_passages(const LoadedModel& model, Reranker& reranker,
                                       std::string tmpl) {
    return [&model, &reranker, tmpl = std::move(tmpl)](std::string_view question,
                                                       std::span<const std::string> texts) {
        std::vector<std::vector<int>> prompts;
        prompts.reserve(texts.size());
        for (const std::string& t : texts) {
            std::vector<int> ids =
                rerank_prompt_ids(model.tokenizer(), tmpl, question, t, std::nullopt);
            prompts.push_back(std::move(ids));
        }
        const RerankScores scored = reranker.score(prompts);
        return std::vector<float>(scored.scores.begin(), scored.scores.end());
    };
}

}  // namespace qe
