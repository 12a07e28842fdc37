// POST /v1/rerank bodies: the fields llama.cpp's and Jina's schema share, and each bad field or
// value refused by name.
#include "server/rerank_request.h"

#include <gtest/gtest.h>

namespace qe {
namespace {

using json = nlohmann::ordered_json;

ApiError error_of(const json& body) {
    try {
        parse_rerank_request(body);
    } catch (const ApiException& e) {
        return e.error;
    }
    ADD_FAILURE() << "no error for " << body.dump();
    return {};
}

TEST(RerankRequest, DocumentsAsStringsOrTextObjects) {
    const auto r = parse_rerank_request(
        {{"query", "q"}, {"documents", json::array({"a", {{"text", "b"}}, ""})}});
    EXPECT_EQ(r.query, "q");
    EXPECT_EQ(r.documents, (std::vector<std::string>{"a", "b", ""}));
    EXPECT_EQ(r.top_n, 0u);
    EXPECT_FALSE(r.return_documents);
    EXPECT_FALSE(r.instruction);
    EXPECT_TRUE(r.model.empty());
}

TEST(RerankRequest, EveryField) {
    const auto r = parse_rerank_request({{"query", "q"},
                                         {"documents", {"a", "b", "c"}},
                                         {"model", "Qwen3-Reranker-0.6B"},
                                         {"top_n", 2},
                                         {"return_documents", true},
                                         {"instruction", "Find recipes"}});
    EXPECT_EQ(r.model, "Qwen3-Reranker-0.6B");
    EXPECT_EQ(r.top_n, 2u);
    EXPECT_TRUE(r.return_documents);
    EXPECT_EQ(r.instruction, "Find recipes");
    // More than there are documents: all of them.
    EXPECT_EQ(parse_rerank_request({{"query", "q"}, {"documents", {"a"}}, {"top_n", 5}}).top_n, 1u);
    EXPECT_EQ(
        parse_rerank_request({{"query", "q"}, {"documents", {"a"}}, {"top_n", uint64_t(1) << 63}})
            .top_n,
        1u);
    // null is absent.
    EXPECT_EQ(
        parse_rerank_request({{"query", "q"}, {"documents", {"a"}}, {"top_n", nullptr}}).top_n, 0u);
}

TEST(RerankRequest, BadFieldsAreNamed) {
    const json docs = {"a", "b"};
    EXPECT_EQ(error_of({{"documents", docs}}).param, "query");
    EXPECT_EQ(error_of({{"query", "q"}}).code, "missing_required_parameter");
    EXPECT_EQ(error_of({{"query", ""}, {"documents", docs}}).param, "query");
    EXPECT_EQ(error_of({{"query", 3}, {"documents", docs}}).code, "invalid_type");
    EXPECT_EQ(error_of({{"query", "q"}, {"documents", "a"}}).code, "invalid_type");
    EXPECT_EQ(error_of({{"query", "q"}, {"documents", json::array()}}).param, "documents");
    const ApiError bad_doc = error_of({{"query", "q"}, {"documents", {"a", 5}}});
    EXPECT_NE(bad_doc.message.find("documents[1]"), std::string::npos) << bad_doc.message;
    const ApiError extra =
        error_of({{"query", "q"}, {"documents", json::array({{{"text", "a"}, {"id", 1}}})}});
    EXPECT_NE(extra.message.find("documents[0].id"), std::string::npos) << extra.message;
    EXPECT_EQ(extra.code, "unknown_parameter");
    EXPECT_EQ(error_of({{"query", "q"}, {"documents", json::array({json::object()})}}).code,
              "invalid_type");
    EXPECT_EQ(error_of({{"query", "q"}, {"documents", docs}, {"top_n", 0}}).param, "top_n");
    EXPECT_EQ(error_of({{"query", "q"}, {"documents", docs}, {"top_n", -1}}).param, "top_n");
    EXPECT_EQ(error_of({{"query", "q"}, {"documents", docs}, {"top_n", 1.5}}).code, "invalid_type");
    EXPECT_EQ(error_of({{"query", "q"}, {"documents", docs}, {"return_documents", 1}}).param,
              "return_documents");
    EXPECT_EQ(error_of({{"query", "q"}, {"documents", docs}, {"instruction", 1}}).param,
              "instruction");
    EXPECT_EQ(error_of({{"query", "q"}, {"documents", docs}, {"model", 1}}).param, "model");
    const ApiError unknown = error_of({{"query", "q"}, {"documents", docs}, {"truncation", true}});
    EXPECT_EQ(unknown.param, "truncation");
    EXPECT_EQ(unknown.code, "unknown_parameter");
    EXPECT_EQ(error_of(json::array()).code, "invalid_type");
    json many = json::array();
    for (size_t i = 0; i <= kMaxRerankDocuments; ++i) many.push_back("d");
    EXPECT_EQ(error_of({{"query", "q"}, {"documents", many}}).param, "documents");
}

}  // namespace
}  // namespace qe
