// A knowledge base under a writer that dies: a child process imports documents in a loop and is
// killed (SIGKILL) at random moments; the base must then pass its integrity checks and hold every
// document whole. And readers on other connections while a writer imports (WAL).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <string>
#include <thread>

#include "knowledge/knowledge_base.h"
#include "support/knowledge_base_file.h"

namespace qe::knowledge {
namespace {

// Document i of round r: (i % 7 + 1) chunks, each naming its document and round, so a reader can
// tell a whole document from a mixed one.
DocumentInput numbered_doc(int i, int round) {
    DocumentInput d{"doc-" + std::to_string(i) + ".txt", "r" + std::to_string(round), {}};
    for (int c = 0; c <= i % 7; ++c) {
        d.chunks.push_back({"第" + std::to_string(round) + "轮 文档" + std::to_string(i) +
                                " chunk " + std::to_string(c) + " 报销发票审批流程说明",
                            {},
                            std::nullopt});
    }
    return d;
}

std::vector<std::vector<float>> unit_vectors(size_t n) {
    std::vector<std::vector<float>> v(n, std::vector<float>(8, 0.0f));
    for (size_t i = 0; i < n; ++i) v[i][i % 8] = 1.0f;
    return v;
}

const EmbedderInfo kEmbedder{"test-embedder", "sha256:0", 8, ""};

// The round a chunk's text was written in ("第<round>轮 ...").
std::string round_of(const std::string& text) {
    const size_t end = text.find("轮");
    return text.substr(3, end == std::string::npos ? 0 : end - 3);
}

// One search (one snapshot) over every chunk: each document it finds is one round's, whole.
void expect_whole_documents_in_search(KnowledgeBase& kb) {
    std::map<std::string, std::vector<std::string>> rounds;  // path -> the round of each chunk
    for (const SearchHit& h : kb.keyword_search("报销发票", 1000)) {
        rounds[h.document_path].push_back(round_of(h.text));
    }
    for (const auto& [path, chunks] : rounds) {
        const int i = std::stoi(path.substr(4));
        EXPECT_EQ(chunks.size(), size_t(i % 7 + 1)) << path;
        for (const std::string& r : chunks) EXPECT_EQ(r, chunks[0]) << path << " mixes rounds";
    }
}

// With no writer: the document rows agree with the chunks (count and round).
void expect_whole_documents(KnowledgeBase& kb) {
    expect_whole_documents_in_search(kb);
    const std::vector<SearchHit> hits = kb.keyword_search("报销发票", 1000);
    for (const DocumentInfo& d : kb.documents()) {
        const int i = std::stoi(d.path.substr(4));
        EXPECT_EQ(d.chunk_count, i % 7 + 1) << d.path;
        for (const SearchHit& h : hits) {
            if (h.document_path != d.path) continue;
            EXPECT_EQ(round_of(h.text), d.content_hash.substr(1)) << d.path;
        }
    }
}

TEST(KnowledgeCrash, KilledImportsNeverCorruptTheBase) {
    const std::string path = qe::test::fresh_knowledge_base("crash");
    { KnowledgeBase kb(path, kEmbedder); }
    std::mt19937 rng(1234);
    for (int kill_round = 0; kill_round < 6; ++kill_round) {
        const pid_t child = fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            try {
                KnowledgeBase kb(path, kEmbedder);
                for (int round = kill_round * 1000;; ++round) {
                    const DocumentInput d = numbered_doc(round % 20, round);
                    kb.replace_document(d, unit_vectors(d.chunks.size()));
                }
            } catch (...) {
            }
            _exit(1);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 150));
        kill(child, SIGKILL);
        int status = 0;
        waitpid(child, &status, 0);
        ASSERT_TRUE(WIFSIGNALED(status)) << "the importer stopped by itself";
        KnowledgeBase kb(path, kEmbedder);
        ASSERT_NO_THROW(kb.check_integrity());
        expect_whole_documents(kb);
        EXPECT_GT(kb.documents().size(), 0u);
    }
}

TEST(KnowledgeCrash, ReadersSeeWholeDocumentsWhileAWriterImports) {
    const std::string path = qe::test::fresh_knowledge_base("readers");
    { KnowledgeBase kb(path, kEmbedder); }
    std::atomic<bool> done{false};
    std::thread writer([&] {
        KnowledgeBase kb(path, kEmbedder);
        for (int round = 0; round < 300; ++round) {
            const DocumentInput d = numbered_doc(round % 10, round);
            kb.replace_document(d, unit_vectors(d.chunks.size()));
        }
        done = true;
    });
    std::vector<std::thread> readers;
    std::atomic<int> searches{0};
    for (int r = 0; r < 2; ++r) {
        readers.emplace_back([&] {
            KnowledgeBase kb(path);
            const std::vector<float> q(8, 0.35f);
            while (!done) {
                expect_whole_documents_in_search(kb);
                kb.vector_search(q, 5);
                ++searches;
            }
        });
    }
    writer.join();
    for (std::thread& t : readers) t.join();
    EXPECT_GT(searches.load(), 0);
    KnowledgeBase kb(path);
    kb.check_integrity();
    EXPECT_EQ(kb.documents().size(), 10u);
}

}  // namespace
}  // namespace qe::knowledge
