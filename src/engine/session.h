// One sequence being evaluated: a KV cache, the position reached, and the forward pass that runs
// it (the fast path, or the reference path for checking).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "model/activation_dump.h"
#include "model/batch.h"
#include "model/config.h"
#include "model/kv_cache.h"
#include "model/matrices.h"
#include "model/matrix_repacker.h"
#include "model/qwen2.h"
#include "model/weights.h"

namespace qe {

enum class ForwardPath { Fast, Reference };

struct SessionOptions {
    int n_ctx = 4096;            // positions in the KV cache; capped at the model's context length
    DType kv_type = DType::F16;  // F16 or F32
    ForwardPath path = ForwardPath::Fast;
    int n_threads = 0;                     // 0: one per hardware thread
    int max_batch = 256;                   // positions per forward piece (bounds activation memory)
    const KernelTable* kernels = nullptr;  // fast path's kernels; nullptr: the best for this CPU
    // The fast path's matrices, when already prepared (to share one copy between the sessions of
    // a model); nullptr: the session prepares its own for `kernels`.
    std::shared_ptr<const Matrices> matrices;
    // The weights are read-only file mappings (a GGUF file): their pages can be handed back to the
    // kernel once repacked (see prepare_matrices).
    bool weights_in_file_mapping = false;
    // The session's own matrices start in the file's row layout, so the first answer need not
    // wait for the repacking into the kernels' faster layout: that runs on a background thread
    // from the end of the first eval on, and the forward pass switches to each repacked matrix
    // between layers. While it runs, logits may differ from the final ones by rounding (the layouts
    // sum in different orders).
    bool repack_in_background = false;
};

class Session {
  public:
    // The model (config and weights) must outlive the session. Activations are dumped to the
    // folder named by QE_DUMP when it is set.
    Session(const ModelConfig& config, const Weights& weights, const SessionOptions& options = {});

    // Evaluates ids after the n_past() positions already in the context and returns logits
    // [1 or n, vocab_size] (valid until the next call). Throws qe::Error (and leaves the session
    // as it was) on ids out of range or when they don't fit in the context.
    std::span<const float> eval(std::span<const int> ids, LogitsFor which = LogitsFor::Last);

    int n_past() const { return n_past_; }
    int n_ctx() const { return kv_.n_ctx(); }
    const KVCache& kv_cache() const { return kv_; }
    const ModelConfig& config() const { return config_; }

    // Waits until the background repacking (if any) is done and puts every matrix in place, so
    // that the next eval runs at full speed (benchmarks, tests).
    void finish_repacking();

    // Forgets every position from n_past on (0 starts over); the cache rows before it are kept.
    void rewind(int n_past);

    // e.g. "context 4096 tokens, KV cache f16 48.0 MiB, 2 threads"
    std::string describe() const;

  private:
    const ModelConfig& config_;
    const Weights& weights_;
    ForwardPath path_;
    KVCache kv_;
    std::unique_ptr<ThreadPool> pool_;
    std::shared_ptr<const Matrices> matrices_;
    std::unique_ptr<MatrixRepacker> repacker_;  // while repacking in the background
    std::unique_ptr<Qwen2> fast_;
    std::unique_ptr<ActivationDump> dump_;
    std::vector<float> reference_logits_;
    int n_past_ = 0;
};

// The context a session gets when `requested` positions are asked for: at most the model's
// context length (when the file gives one). Throws qe::Error when requested < 1.
int effective_context(const ModelConfig& config, int requested);

}  // namespace qe
