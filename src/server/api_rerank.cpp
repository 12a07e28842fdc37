// POST /v1/rerank (and its aliases): the schema of llama.cpp's server and Jina's API over the
// Reranker of the server's reranker model. The request runs on its HTTP thread; the Reranker
// serialises requests over its own runtime.
#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "engine/rerank_prompt.h"
#include "server/api.h"
#include "server/rerank_request.h"

namespace qe {

HttpResponse Api::rerank(const HttpRequest& req) {
    refuse_when_shutting_down();
    const RerankRequest r = parse_rerank_request(parse_json_body(req.body));
    const auto served = use_model<RerankModel>(r.model, ModelKind::kRerank);
    const LoadedModel& model = served->model();
    Reranker& reranker = served->reranker();

    std::vector<std::vector<int>> prompts;
    prompts.reserve(r.documents.size());
    try {
        for (const std::string& doc : r.documents)
            prompts.push_back(rerank_prompt_ids(model.tokenizer(), served->prompt_template(), r.query, doc,
                                                r.instruction));
    } catch (const Error& e) {
        api_fail("documents", "documents[" + std::to_string(prompts.size()) + "]: " + e.what());
    }

    RerankScores scored;
    try {
        scored = reranker.score(prompts);
    } catch (const RerankInputError& e) {
        api_fail("documents",
                 "documents[" + std::to_string(e.index) +
                     "]: its prompt (query, document and "
                     "the reranker's template) has " +
                     std::to_string(prompts[e.index].size()) +
                     " tokens; the reranker's context holds " + std::to_string(reranker.n_ctx()) +
                     ": shorten the document or the query (nothing is truncated)",
                 "context_length_exceeded");
    }

    // Highest score first; equal scores in request order.
    std::vector<size_t> order(r.documents.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return scored.scores[a] > scored.scores[b]; });
    order.resize(r.top_n > 0 ? r.top_n : order.size());

    using json = nlohmann::ordered_json;
    json results = json::array();
    for (size_t i : order) {
        json item = {{"index", i}, {"relevance_score", scored.scores[i]}};
        if (r.return_documents) item["document"] = {{"text", r.documents[i]}};
        results.push_back(std::move(item));
    }
    HttpResponse out;
    out.body = json{{"object", "list"},
                    {"model", model.id()},
                    {"results", std::move(results)},
                    {"usage", {{"prompt_tokens", scored.tokens}, {"total_tokens", scored.tokens}}}}
                   .dump(-1, ' ', false, json::error_handler_t::replace);
    return out;
}

}  // namespace qe
