// Embeddings: token-id inputs in, one unit vector per input out. Each input is evaluated as a
// sequence of its own (a fresh SequenceState, dropped after), many of them in one forward pass,
// and its final-normed hidden states are pooled (the last position's, or the mean of all) and
// L2-normalised, as Qwen3-Embedding and llama.cpp do.
//
// An Embedder runs on the caller's thread over a Runtime of its own: a runtime is driven by one
// thread at a time, so it must not be the chat Scheduler's. Calls are serialised by a mutex.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "model/loaded_model.h"
#include "engine/pooling.h"
#include "model/runtime.h"

namespace qe {

struct EmbedderOptions {
    Pooling pooling = Pooling::Last;
    // Appended to every input that does not already end with it (-1: nothing). Qwen3-Embedding
    // reads the state of <|endoftext|> after the text.
    int end_id = -1;
    int n_ctx = 0;  // longest input in tokens (end_id included); 0: the model's context length
    DType kv_type = DType::F16;
    int max_pass_tokens = 4096;  // positions per forward pass (inputs are never split)
};

// The options for a model: its pooling (engine/pooling.h) and <|endoftext|> appended when the
// file has no pooling key or its tokenizer says to add the end-of-sequence token (a Hugging Face
// folder: when pooling the last token). Throws qe::Error.
EmbedderOptions embedder_options(const LoadedModel& model);

struct Embeddings {
    std::vector<std::vector<float>> vectors;  // one per input, unit length
    int64_t tokens = 0;                       // evaluated, end ids included
};

// An input too long for the context, or empty: `index` is its place in the request.
class EmbeddingInputError : public Error {
  public:
    EmbeddingInputError(size_t index, const std::string& message) : Error(message), index(index) {}
    size_t index;
};

class Embedder {
  public:
    // The runtime must outlive the embedder; nothing else may run it meanwhile.
    Embedder(Runtime& runtime, const EmbedderOptions& options);

    // The embeddings of `inputs`, each of `dimensions` values (0: the model's dim): the first
    // `dimensions` of the pooled vector, normalised (Matryoshka). Throws EmbeddingInputError for
    // an empty input or one longer than n_ctx(), qe::Error for ids out of the vocabulary or
    // dimensions out of [0, dim()].
    Embeddings embed(std::span<const std::vector<int>> inputs, int dimensions = 0);

    // The ids an input is evaluated as (end_id appended unless it is already last).
    std::vector<int> prepare(std::span<const int> ids) const;

    int dim() const { return runtime_.config().dim; }
    int n_ctx() const { return n_ctx_; }
    const EmbedderOptions& options() const { return options_; }

  private:
    Runtime& runtime_;
    EmbedderOptions options_;
    int n_ctx_;
    std::mutex mutex_;
};

// x / |x| in place (a zero vector stays zero).
void l2_normalize(std::span<float> x);

}  // namespace qe
