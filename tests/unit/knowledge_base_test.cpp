// The knowledge base store (knowledge/knowledge_base.h): documents added, replaced and removed;
// keyword, vector and fused search; the embedder record; rank fusion; where bases live.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "knowledge/data_dir.h"
#include "knowledge/knowledge_base.h"
#include "knowledge/rank_fusion.h"
#include "support/expect_error.h"
#include "support/knowledge_base_file.h"

namespace qe::knowledge {
namespace {

namespace fs = std::filesystem;

DocumentInput doc(const std::string& path, std::vector<std::string> chunks) {
    DocumentInput d{path, "hash-" + path, {}};
    for (std::string& c : chunks) d.chunks.push_back({std::move(c), {"标题", path}, 1});
    return d;
}

DocumentInput handbook() {
    return doc("handbook.md",
               {
                   "员工差旅报销流程：填写报销单，附上发票和行程单，经部门经理审批后提交财务部。",
                   "年假政策：员工入职满一年后享有五天带薪年假，可分两次休完。",
                   "The Q3 revenue report is due on October 15 and goes to the finance team.",
                   "办公室网络故障时，请先重启路由器，然后联系IT支持。",
                   "会议室预订需要提前一天在系统中申请。",
               });
}

TEST(KnowledgeBase, AddsAndListsDocuments) {
    KnowledgeBase kb(qe::test::fresh_knowledge_base("adds"));
    kb.replace_document(handbook());
    kb.replace_document(doc("b.txt", {"one", "two"}));
    const auto docs = kb.documents();
    ASSERT_EQ(docs.size(), 2u);
    EXPECT_EQ(docs[0].path, "b.txt");
    EXPECT_EQ(docs[0].chunk_count, 2);
    EXPECT_EQ(docs[1].chunk_count, 5);
    EXPECT_EQ(kb.chunk_count(), 7);
    kb.check_integrity();
}

TEST(KnowledgeBase, ReplaceSwapsTheWholeDocument) {
    KnowledgeBase kb(qe::test::fresh_knowledge_base("replace"));
    kb.replace_document(doc("a.txt", {"old apples", "old pears", "old plums"}));
    kb.replace_document(doc("a.txt", {"new oranges"}));
    EXPECT_EQ(kb.chunk_count(), 1);
    EXPECT_TRUE(kb.keyword_search("apples").empty());
    ASSERT_EQ(kb.keyword_search("oranges").size(), 1u);
    EXPECT_EQ(kb.document("a.txt")->chunk_count, 1);
    kb.check_integrity();
}

TEST(KnowledgeBase, RemoveDropsChunksFromTheIndex) {
    KnowledgeBase kb(qe::test::fresh_knowledge_base("remove"));
    kb.replace_document(doc("a.txt", {"alpha beta"}));
    kb.replace_document(doc("b.txt", {"beta gamma"}));
    EXPECT_TRUE(kb.remove_document("a.txt"));
    EXPECT_FALSE(kb.remove_document("a.txt"));
    EXPECT_TRUE(kb.keyword_search("alpha").empty());
    EXPECT_EQ(kb.keyword_search("beta").size(), 1u);
    EXPECT_FALSE(kb.document("a.txt"));
    kb.check_integrity();
}

TEST(KnowledgeBase, ChineseQuestionFindsItsChunkFirst) {
    KnowledgeBase kb(qe::test::fresh_knowledge_base("ranking"));
    kb.replace_document(handbook());
    auto top = [&](const std::string& q) {
        const auto hits = kb.keyword_search(q, 3);
        return hits.empty() ? std::string("(none)") : hits[0].text;
    };
    EXPECT_NE(top("报销流程需要哪些材料").find("报销"), std::string::npos);
    EXPECT_NE(top("年假有几天？").find("年假"), std::string::npos);
    EXPECT_NE(top("网络坏了怎么办").find("网络"), std::string::npos);
    EXPECT_NE(top("Ｑ３ report").find("Q3"), std::string::npos);  // full-width query
    EXPECT_NE(top("会").find("会议室"), std::string::npos);       // one character
    const auto hits = kb.keyword_search("报销流程需要哪些材料", 3);
    ASSERT_FALSE(hits.empty());
    EXPECT_EQ(hits[0].document_path, "handbook.md");
    EXPECT_EQ(hits[0].ord, 0);
    EXPECT_EQ(hits[0].heading, "标题 > handbook.md");
    EXPECT_EQ(hits[0].page, 1);
    EXPECT_GT(hits[0].score, 0);
}

TEST(KnowledgeBase, HostileQuestionsAreJustWords) {
    KnowledgeBase kb(qe::test::fresh_knowledge_base("hostile"));
    kb.replace_document(handbook());
    for (const char* q : {"a\" OR \"b", "NEAR(", "*", "-", ":", "\"", "text:报销", "(((", "^",
                          "report*", "AND OR NOT", "\xFF\xFE", "", "   "}) {
        EXPECT_NO_THROW(kb.keyword_search(q)) << q;
    }
    EXPECT_EQ(kb.keyword_search("text:报销").size(), 1u);
}

TEST(KnowledgeBase, OddBytesAreStoredAsGiven) {
    KnowledgeBase kb(qe::test::fresh_knowledge_base("odd-bytes"));
    const std::string odd = std::string("nul\0inside ", 12) + "bad\xFF\xFEutf8 发票😀";
    kb.replace_document(doc("odd.bin", {odd}));
    const auto hits = kb.keyword_search("发票 utf8");
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].text, odd);
    EXPECT_EQ(kb.keyword_search("inside").size(), 1u);
    kb.check_integrity();
}

TEST(KnowledgeBase, EmptyChunksAndDocuments) {
    KnowledgeBase kb(qe::test::fresh_knowledge_base("empty"));
    kb.replace_document(doc("empty-chunk.txt", {""}));
    kb.replace_document(DocumentInput{"no-chunks.txt", "", {}});
    EXPECT_EQ(kb.document("empty-chunk.txt")->chunk_count, 1);
    EXPECT_EQ(kb.document("no-chunks.txt")->chunk_count, 0);
    EXPECT_THROW(kb.replace_document(DocumentInput{"", "", {}}), Error);
    kb.check_integrity();
}

TEST(KnowledgeBase, ExactPhraseRanksAboveScatteredPairs) {
    KnowledgeBase kb(qe::test::fresh_knowledge_base("phrase"));
    kb.replace_document(doc("a.txt", {"流程管理和报销制度说明", "报销流程说明"}));
    const auto hits = kb.keyword_search("报销流程");
    ASSERT_EQ(hits.size(), 2u);
    EXPECT_EQ(hits[0].text, "报销流程说明");
}

EmbedderInfo embedder(int dims = 4, std::string name = "bge-m3") {
    return {std::move(name), "sha256:abc", dims, "Represent this sentence for searching:"};
}

TEST(KnowledgeBase, VectorSearchFindsTheNearest) {
    KnowledgeBase kb(qe::test::fresh_knowledge_base("vectors"), embedder());
    const std::vector<std::vector<float>> v = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0.6f, 0.8f, 0, 0}};
    kb.replace_document(doc("a.txt", {"x", "y", "xy"}), v);
    const std::vector<float> q = {0, 1, 0, 0};
    const auto hits = kb.vector_search(q, 2);
    ASSERT_EQ(hits.size(), 2u);
    EXPECT_EQ(hits[0].text, "y");
    EXPECT_EQ(hits[1].text, "xy");
    EXPECT_NEAR(hits[0].score, 1.0, 0.02);
    EXPECT_NEAR(hits[1].score, 0.8, 0.02);
    kb.remove_document("a.txt");
    EXPECT_TRUE(kb.vector_search(q, 2).empty());
}

TEST(KnowledgeBase, VectorsAreCheckedAgainstTheEmbedder) {
    KnowledgeBase plain(qe::test::fresh_knowledge_base("vector-checks"));
    const std::vector<std::vector<float>> one = {{1, 0, 0, 0}};
    EXPECT_THROW(plain.replace_document(doc("a", {"x"}), one), Error);
    KnowledgeBase kb(qe::test::fresh_knowledge_base("vector-checks2"), embedder());
    const std::vector<std::vector<float>> short_one = {{1, 0}};
    EXPECT_THROW(kb.replace_document(doc("a", {"x"}), short_one), Error);
    EXPECT_THROW(kb.replace_document(doc("a", {"x", "y"}), one), Error);
    EXPECT_FALSE(kb.document("a"));  // nothing half-written
    const std::vector<float> q = {1, 0};
    EXPECT_THROW(kb.vector_search(q), Error);
}

TEST(KnowledgeBase, AnotherEmbedderIsRefusedUntilReindexed) {
    const std::string path = qe::test::fresh_knowledge_base("embedder");
    {
        KnowledgeBase kb(path, embedder());
        const std::vector<std::vector<float>> v = {{1, 0, 0, 0}, {0, 1, 0, 0}};
        kb.replace_document(doc("a.txt", {"x", "y"}), v);
    }
    EXPECT_TRUE(qe::test::throws_error([&] { KnowledgeBase kb(path, embedder(3, "other")); },
                                       {"bge-m3", "'other'", "re-index"}));
    {
        KnowledgeBase kb(path);  // without an embedder: it reads the recorded one
        ASSERT_TRUE(kb.embedder());
        EXPECT_EQ(kb.embedder()->name, "bge-m3");
        int calls = 0;
        kb.reindex_vectors(
            embedder(3, "other"),
            [&](std::span<const std::string> texts) {
                ++calls;
                std::vector<std::vector<float>> out;
                for (const std::string& t : texts) out.push_back({t == "x" ? 1.f : 0.f, 0, 1});
                return out;
            },
            1);
        EXPECT_EQ(calls, 2);
        const std::vector<float> q = {1, 0, 0};
        EXPECT_EQ(kb.vector_search(q, 1).at(0).text, "x");
    }
    EXPECT_NO_THROW(KnowledgeBase(path, embedder(3, "other")));
    EXPECT_THROW(KnowledgeBase(path, embedder()), Error);
}

TEST(KnowledgeBase, FusedSearchUsesBothRankingsAndTheReranker) {
    KnowledgeBase kb(qe::test::fresh_knowledge_base("fused"), embedder());
    const std::vector<std::vector<float>> v = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}};
    kb.replace_document(doc("a.txt", {"apple pie recipe", "banana bread", "cherry apple tart"}), v);
    const std::vector<float> q = {0, 0.44f, 0.9f, 0};  // tart, then bread, then pie
    SearchOptions options;
    options.query_vector = q;
    auto hits = kb.search("apple", options);
    ASSERT_EQ(hits.size(), 3u);
    EXPECT_EQ(hits[0].text, "cherry apple tart");  // 2nd and 1st: above the pie, 1st and 3rd
    options.rerank = [](std::string_view, std::span<const std::string> texts) {
        std::vector<float> s;
        for (const std::string& t : texts)
            s.push_back(t.find("banana") != std::string::npos ? 9 : 1);
        return s;
    };
    hits = kb.search("apple", options);
    EXPECT_EQ(hits[0].text, "banana bread");
    EXPECT_EQ(hits[0].score, 9);
    options.top_k = 1;
    EXPECT_EQ(kb.search("apple", options).size(), 1u);
}

TEST(KnowledgeBase, KeywordOnlySearchWithoutVectors) {
    KnowledgeBase kb(qe::test::fresh_knowledge_base("keyword-only"));
    kb.replace_document(handbook());
    const auto hits = kb.search("年假", {});
    ASSERT_FALSE(hits.empty());
    EXPECT_NE(hits[0].text.find("年假"), std::string::npos);
}

TEST(KnowledgeBase, ReopensWithItsContents) {
    const std::string path = qe::test::fresh_knowledge_base("reopen");
    { KnowledgeBase(path).replace_document(handbook()); }
    KnowledgeBase kb(path);
    EXPECT_EQ(kb.chunk_count(), 5);
    EXPECT_FALSE(kb.keyword_search("发票").empty());
}

TEST(KnowledgeBase, NotADatabaseIsAnError) {
    const std::string path = qe::test::fresh_knowledge_base("garbage");
    { std::ofstream(path) << std::string(4096, 'x'); }
    EXPECT_THROW(KnowledgeBase kb(path), Error);
}

// Runs SQL on the base's file through a connection of its own, outside the store.
struct RawConnection {
    sqlite3* db = nullptr;
    explicit RawConnection(const std::string& path) { sqlite3_open(path.c_str(), &db); }
    ~RawConnection() { sqlite3_close(db); }
    int exec(const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }
};

TEST(KnowledgeBase, NewerSchemaIsRefused) {
    const std::string path = qe::test::fresh_knowledge_base("newer");
    { KnowledgeBase kb(path); }
    ASSERT_EQ(RawConnection(path).exec("UPDATE meta SET value = '99' WHERE key = 'schema_version'"),
              SQLITE_OK);
    EXPECT_TRUE(qe::test::throws_error([&] { KnowledgeBase kb(path); }, {"version 99", "newer"}));
}

TEST(KnowledgeBase, OpeningDoesNotWaitForAWriter) {
    const std::string path = qe::test::fresh_knowledge_base("open-while-writing");
    { KnowledgeBase(path).replace_document(handbook()); }
    RawConnection writer(path);
    ASSERT_EQ(writer.exec("BEGIN IMMEDIATE"), SQLITE_OK);
    const auto start = std::chrono::steady_clock::now();
    KnowledgeBase reader(path);
    EXPECT_FALSE(reader.keyword_search("发票").empty());
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
    writer.exec("ROLLBACK");
}

TEST(RankFusion, SumsReciprocalRanks) {
    const std::vector<std::vector<int64_t>> rankings = {{1, 2, 3}, {3, 4}};
    const auto fused = fuse_rankings(rankings);
    ASSERT_EQ(fused.size(), 4u);
    EXPECT_EQ(fused[0].id, 3);
    EXPECT_DOUBLE_EQ(fused[0].score, 1.0 / 63 + 1.0 / 61);
    EXPECT_EQ(fused[1].id, 1);
    EXPECT_DOUBLE_EQ(fused[1].score, 1.0 / 61);
    EXPECT_EQ(fused[2].id, 2);  // ties with 4 (both rank 2 once): 2 appeared first
    EXPECT_EQ(fused[3].id, 4);
}

TEST(DataDir, FlagThenEnvironment) {
    EXPECT_EQ(data_dir(std::string("/x")), fs::path("/x"));
    setenv("QWEN_EDGE_DATA", "/data", 1);
    EXPECT_EQ(data_dir(std::nullopt), fs::path("/data"));
    unsetenv("QWEN_EDGE_DATA");
    setenv("XDG_DATA_HOME", "/xdg", 1);
    EXPECT_EQ(data_dir(std::nullopt), fs::path("/xdg/qwen-edge"));
    unsetenv("XDG_DATA_HOME");
}

TEST(DataDir, BaseNames) {
    EXPECT_EQ(base_path("/d", "公司制度"), fs::path("/d/knowledge/公司制度.sqlite"));
    EXPECT_NO_THROW(validate_base_name("team-notes_2024"));
    for (const std::string& bad :
         std::vector<std::string>{"", "a/b", "a\\b", "..", ".hidden", "a\nb", "a:b",
                                  std::string("\xFF"), std::string(65, 'x')}) {
        EXPECT_THROW(validate_base_name(bad), Error) << bad;
    }
    std::string sixty_four_han;
    for (int i = 0; i < 64; ++i) sixty_four_han += "中";
    EXPECT_NO_THROW(validate_base_name(sixty_four_han));
    EXPECT_THROW(validate_base_name(sixty_four_han + "中"), Error);
}

}  // namespace
}  // namespace qe::knowledge
