// The knowledge base store (src/knowledge): import speed (MB of text and chunks per second, with
// and without 1024-dim vectors), database size per MB of text, and query latency at 1k, 10k and
// 100k chunks (keyword, vector, both fused). The text is synthetic Chinese with English words
// mixed in; the vectors are random unit vectors (their latency does not depend on their values).
// Bases are written under the system's temporary folder and removed at the end.
#include <benchmark/benchmark.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "knowledge/knowledge_base.h"
#include "knowledge/text_tokens.h"

namespace {

namespace fs = std::filesystem;
using qe::knowledge::DocumentInput;
using qe::knowledge::EmbedderInfo;
using qe::knowledge::KnowledgeBase;

constexpr int kDims = 1024;
constexpr int kChunksPerDoc = 20;
const EmbedderInfo kEmbedder{"bench-embedder", "sha256:0", kDims, ""};

const char* const kHan =
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子"
    "说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机"
    "当"
    "使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反"
    "你"
    "明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五"
    "果"
    "料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运"
    "农"
    "报销审批发票财务流程材料合同年假政策会议预订网络故障系统申请部门经理";
const char* const kWords[] = {"report", "budget", "Q3",      "invoice",  "meeting",
                              "policy", "server", "GPU",     "deadline", "review",
                              "2024",   "team",   "network", "approval"};

std::vector<std::string> han_chars() {
    std::vector<std::string> out;
    const std::string s = kHan;
    for (size_t i = 0; i + 3 <= s.size(); i += 3) out.push_back(s.substr(i, 3));
    return out;
}

// About 600 bytes: Chinese clauses with an English word now and then.
std::string synthetic_chunk(std::mt19937& rng) {
    static const std::vector<std::string> han = han_chars();
    std::string text;
    while (text.size() < 600) {
        for (int w = 0, n = 4 + int(rng() % 8); w < n; ++w) {
            if (rng() % 12 == 0) {
                text += ' ';
                text += kWords[rng() % std::size(kWords)];
                text += ' ';
            } else {
                for (int c = 0, len = 1 + int(rng() % 3); c < len; ++c)
                    text += han[rng() % han.size()];
            }
        }
        text += rng() % 3 ? "，" : "。";
    }
    return text;
}

DocumentInput synthetic_doc(std::mt19937& rng, int index) {
    DocumentInput d{"doc-" + std::to_string(index) + ".txt", "hash", {}};
    for (int c = 0; c < kChunksPerDoc; ++c) {
        d.chunks.push_back({synthetic_chunk(rng), {"第" + std::to_string(c) + "节"}, c});
    }
    return d;
}

std::vector<std::vector<float>> random_unit_vectors(std::mt19937& rng, size_t n) {
    std::normal_distribution<float> normal;
    std::vector<std::vector<float>> out(n, std::vector<float>(kDims));
    for (auto& v : out) {
        float norm = 0;
        for (float& x : v) x = normal(rng), norm += x * x;
        for (float& x : v) x /= std::sqrt(norm);
    }
    return out;
}

fs::path bench_dir() {
    const fs::path dir = fs::temp_directory_path() / "qe-knowledge-bench";
    fs::create_directories(dir);
    return dir;
}

std::string fresh_path(const std::string& name) {
    const fs::path p = bench_dir() / (name + ".sqlite");
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p.string() + suffix);
    return p.string();
}

uintmax_t file_bytes(const std::string& path) {
    uintmax_t total = 0;
    for (const char* suffix : {"", "-wal"}) {
        std::error_code ec;
        const uintmax_t n = fs::file_size(path + suffix, ec);
        if (!ec) total += n;
    }
    return total;
}

// Imports 50 documents (1000 chunks) per iteration into a fresh base; timed by the wall clock,
// as an import also waits for the disk.
void import(benchmark::State& state, bool with_vectors) {
    std::mt19937 rng(1);
    std::vector<DocumentInput> docs;
    std::vector<std::vector<std::vector<float>>> vectors;
    size_t text_bytes = 0;
    for (int i = 0; i < 50; ++i) {
        docs.push_back(synthetic_doc(rng, i));
        for (const auto& c : docs.back().chunks) text_bytes += c.text.size();
        if (with_vectors) vectors.push_back(random_unit_vectors(rng, kChunksPerDoc));
    }
    double db_bytes = 0;
    for (auto _ : state) {
        state.PauseTiming();
        const std::string path = fresh_path("import");
        state.ResumeTiming();
        {
            KnowledgeBase kb(path, with_vectors ? std::optional(kEmbedder) : std::nullopt);
            for (size_t i = 0; i < docs.size(); ++i) {
                if (with_vectors) {
                    kb.replace_document(docs[i], vectors[i]);
                } else {
                    kb.replace_document(docs[i]);
                }
            }
        }
        state.PauseTiming();
        db_bytes = double(file_bytes(path));
        state.ResumeTiming();
    }
    state.SetBytesProcessed(int64_t(state.iterations() * text_bytes));
    state.SetItemsProcessed(int64_t(state.iterations() * docs.size() * kChunksPerDoc));
    state.counters["db_bytes_per_text_byte"] = db_bytes / double(text_bytes);
}

void BM_ImportKeywordOnly(benchmark::State& state) {
    import(state, false);
}
void BM_ImportWithVectors(benchmark::State& state) {
    import(state, true);
}

// The tokenizer alone, in document mode (what an import feeds FTS5).
void BM_TokenizeDocument(benchmark::State& state) {
    std::mt19937 rng(5);
    std::string text;
    for (int i = 0; i < 100; ++i) text += synthetic_chunk(rng);
    size_t tokens = 0;
    for (auto _ : state) {
        qe::knowledge::tokenize_text(text, qe::knowledge::TokenMode::kDocument,
                                     [&](const qe::knowledge::TextToken&) { ++tokens; });
    }
    state.SetBytesProcessed(int64_t(state.iterations() * text.size()));
    benchmark::DoNotOptimize(tokens);
}

// A base of `chunks` chunks with vectors, built once per size and kept for the query benchmarks.
// Closed once after the import, so that its WAL is checkpointed and its file has its real size.
std::map<int, double> text_bytes_of_base;  // chunks -> bytes of text imported

KnowledgeBase& base_of(int chunks) {
    static std::map<int, std::unique_ptr<KnowledgeBase>> bases;
    auto& kb = bases[chunks];
    if (!kb) {
        const std::string path = fresh_path("query-" + std::to_string(chunks));
        {
            KnowledgeBase writer(path, kEmbedder);
            std::mt19937 rng(2);
            for (int i = 0; i < chunks / kChunksPerDoc; ++i) {
                const DocumentInput d = synthetic_doc(rng, i);
                for (const auto& c : d.chunks) text_bytes_of_base[chunks] += double(c.text.size());
                writer.replace_document(d, random_unit_vectors(rng, kChunksPerDoc));
            }
        }
        kb = std::make_unique<KnowledgeBase>(path, kEmbedder);
    }
    return *kb;
}

const std::vector<std::string> kQuestions = {
    "报销流程需要哪些材料", "年假政策是什么", "Q3 report 审批",
    "网络故障怎么办",       "会议预订",       "GPU server 部门"};

void BM_KeywordQuery(benchmark::State& state) {
    KnowledgeBase& kb = base_of(int(state.range(0)));
    size_t i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(kb.keyword_search(kQuestions[i++ % 6], 10));
    const fs::path path = bench_dir() / ("query-" + std::to_string(state.range(0)) + ".sqlite");
    state.counters["db_MB"] = double(file_bytes(path.string())) / 1e6;
    state.counters["text_MB"] = text_bytes_of_base[int(state.range(0))] / 1e6;
}

void BM_VectorQuery(benchmark::State& state) {
    KnowledgeBase& kb = base_of(int(state.range(0)));
    std::mt19937 rng(3);
    const auto queries = random_unit_vectors(rng, 8);
    kb.vector_search(queries[0], 10);  // loads the vectors into memory once
    size_t i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(kb.vector_search(queries[i++ % 8], 10));
}

void BM_FusedQuery(benchmark::State& state) {
    KnowledgeBase& kb = base_of(int(state.range(0)));
    std::mt19937 rng(4);
    const auto queries = random_unit_vectors(rng, 6);
    size_t i = 0;
    for (auto _ : state) {
        qe::knowledge::SearchOptions options;
        options.query_vector = queries[i % 6];
        benchmark::DoNotOptimize(kb.search(kQuestions[i % 6], options));
        ++i;
    }
}

BENCHMARK(BM_TokenizeDocument)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ImportKeywordOnly)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ImportWithVectors)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_KeywordQuery)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_VectorQuery)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FusedQuery)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    std::error_code ec;
    fs::remove_all(bench_dir(), ec);
    return 0;
}
