#include "engine/embedder.h"

#include <cmath>

#include "core/error.h"

namespace qe {

EmbedderOptions embedder_options(const LoadedModel& model) {
    EmbedderOptions o;
    std::optional<int64_t> pooling_type;
    bool add_eos = false;
    if (!model.file().hf_folder().empty()) {
        // The sentence-transformers module, else last-token pooling; Qwen3-Embedding's
        // tokenizer.json appends <|endoftext|> in its post-processor, which ours does not run.
        o.pooling = pooling_from_hf_folder(model.file().hf_folder()).value_or(Pooling::Last);
        if (o.pooling == Pooling::Last && model.has_tokenizer())
            o.end_id = model.tokenizer().find_added("<|endoftext|>");
        return o;
    }
    if (const GgufFile* gguf = model.file().gguf()) {
        if (const GgufValue* v = gguf->find(model.config().architecture + ".pooling_type")) {
            pooling_type = v->as_int();
            if (!pooling_type)
                throw Error(model.id() + ": " + model.config().architecture +
                            ".pooling_type is not an integer");
        }
        if (const GgufValue* v = gguf->find("tokenizer.ggml.add_eos_token"))
            add_eos = v->as_bool().value_or(false);
    }
    try {
        o.pooling = pooling_from_gguf(pooling_type);
    } catch (const Error& e) {
        throw Error(model.id() + ": " + e.what());
    }
    // Qwen3-Embedding's card: the last token is the <|endoftext|> appended to the text.
    if (!pooling_type || add_eos) {
        if (model.has_tokenizer()) o.end_id = model.tokenizer().find_added("<|endoftext|>");
        if (o.end_id < 0 && add_eos) o.end_id = model.config().eos_id;
    }
    return o;
}

void l2_normalize(std::span<float> x) {
    double sum = 0;
    for (float v : x) sum += double(v) * v;
    if (sum <= 0) return;
    const double scale = 1.0 / std::sqrt(sum);
    for (float& v : x) v = float(v * scale);
}

Embedder::Embedder(Runtime& runtime, const EmbedderOptions& options)
    : runtime_(runtime),
      options_(options),
      n_ctx_(options.n_ctx > 0 ? effective_context(runtime.config(), options.n_ctx)
                               : effective_context(runtime.config(), 1 << 30)) {
    if (options_.max_pass_tokens < 1) throw Error("max_pass_tokens must be at least 1");
}

std::vector<int> Embedder::prepare(std::span<const int> ids) const {
    std::vector<int> out(ids.begin(), ids.end());
    if (options_.end_id >= 0 && (out.empty() || out.back() != options_.end_id))
        out.push_back(options_.end_id);
    return out;
}

Embeddings Embedder::embed(std::span<const std::vector<int>> inputs, int dimensions) {
    const int dim = this->dim();
    if (dimensions < 0 || dimensions > dim)
        throw Error("dimensions must be between 1 and " + std::to_string(dim) + ", not " +
                    std::to_string(dimensions));
    const size_t keep = size_t(dimensions > 0 ? dimensions : dim);

    Embeddings out;
    std::vector<std::vector<int>> prepared;
    prepared.reserve(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (inputs[i].empty())
            throw EmbeddingInputError(i, "input " + std::to_string(i) + " is empty");
        prepared.push_back(prepare(inputs[i]));
        const size_t n = prepared.back().size();
        if (n > size_t(n_ctx_))
            throw EmbeddingInputError(
                i, "input " + std::to_string(i) + " has " + std::to_string(n) +
                       " tokens; the embedding model's context holds " + std::to_string(n_ctx_));
        out.tokens += int64_t(n);
    }

    std::lock_guard lock(mutex_);
    ForwardModel& model = runtime_.model();
    out.vectors.reserve(inputs.size());
    // Passes of whole inputs up to max_pass_tokens positions (one longer input: a pass alone).
    // Batch invariance makes each vector the same whatever shares its pass.
    for (size_t first = 0; first < prepared.size();) {
        size_t last = first, tokens = 0;
        while (last < prepared.size() && (last == first || tokens + prepared[last].size() <=
                                                               size_t(options_.max_pass_tokens)))
            tokens += prepared[last++].size();
        std::vector<std::unique_ptr<SequenceState>> states;
        std::vector<SequenceChunk> chunks;
        for (size_t i = first; i < last; ++i) {
            states.push_back(model.new_sequence(int(prepared[i].size()), options_.kv_type));
            chunks.push_back(
                {states.back().get(), prepared[i], 0, options_.pooling == Pooling::Mean});
        }
        const std::span<const float> hidden = model.forward(chunks, ForwardOutput::Hidden);
        size_t row = 0;
        for (size_t i = first; i < last; ++i) {
            std::vector<float> v(static_cast<size_t>(dim));
            if (options_.pooling == Pooling::Last) {
                const float* h = &hidden[row++ * size_t(dim)];
                v.assign(h, h + dim);
            } else {
                const size_t n = prepared[i].size();
                std::vector<double> sum(size_t(dim), 0.0);
                for (size_t t = 0; t < n; ++t, ++row)
                    for (size_t d = 0; d < size_t(dim); ++d)
                        sum[d] += hidden[row * size_t(dim) + d];
                for (size_t d = 0; d < size_t(dim); ++d) v[d] = float(sum[d] / double(n));
            }
            v.resize(keep);  // Matryoshka: the first dimensions, normalised on their own
            l2_normalize(v);
            out.vectors.push_back(std::move(v));
        }
        first = last;
    }
    return out;
}

}  // namespace qe
