// The compute side of one model: its threads, its matrices prepared once for one kernel table
// (repacked in the background or at once), and the forward pass over them. Everything that
// evaluates the model (the scheduler, a single-sequence Session, the benchmarks) runs it through
// one Runtime, so a model's matrices exist once.
#pragma once

#include <memory>
#include <string>

#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "model/config.h"
#include "model/forward_model.h"
#include "model/matrices.h"
#include "model/weights.h"

namespace qe {

class ActivationDump;
class MatrixRepacker;
class Transformer;

enum class ForwardPath { Fast, Reference };

struct RuntimeOptions {
    ForwardPath path = ForwardPath::Fast;
    int n_threads = 0;                     // 0: one per hardware thread
    int max_batch = 256;                   // positions per forward piece (bounds activation memory)
    const KernelTable* kernels = nullptr;  // nullptr: the best table for this CPU
    // Matrices already prepared for `kernels` (tests); nullptr: the runtime prepares its own.
    std::shared_ptr<const Matrices> matrices;
    // The weights are read-only file mappings (a GGUF file): their pages can be handed back to
    // the kernel once repacked (see prepare_matrices).
    bool weights_in_file_mapping = false;
    // Start with the matrices in the file's row layout, so the first answer need not wait for
    // the repacking into the kernels' faster layout: that runs on a background thread from the
    // end of the first pass on (start_repacking), and the forward pass switches to each repacked
    // matrix between layers. Both layouts compute the same numbers, bit for bit.
    bool repack_in_background = false;
    // Activations are dumped to the folder named by QE_DUMP when it is set.
    bool dump_from_env = true;
};

class Runtime {
  public:
    // config and weights must outlive the runtime. Throws qe::Error for a model the kernels can't
    // take or for options out of range.
    Runtime(const ModelConfig& config, const Weights& weights, const RuntimeOptions& options = {});
    ~Runtime();
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    ForwardModel& model() { return *model_; }
    const ModelConfig& config() const { return config_; }
    ForwardPath path() const { return path_; }
    int n_threads() const { return pool_ ? pool_->size() : 1; }

    // Starts the background repacking if there is one and it has not started (the owner picks
    // the moment: at once when it waits for work anyway, or after its first answer, so the
    // repacking doesn't compete with it for the CPU).
    void start_repacking();
    // Waits until the background repacking (if any) is done and puts every matrix in place.
    // Only from the thread that runs the forward passes, between passes.
    void finish_repacking();

    // e.g. "2 threads" or "reference path"
    std::string describe() const;

  private:
    const ModelConfig& config_;
    ForwardPath path_;
    std::unique_ptr<ThreadPool> pool_;
    std::shared_ptr<const Matrices> matrices_;
    std::unique_ptr<ActivationDump> dump_;
    std::unique_ptr<ForwardModel> model_;
    std::unique_ptr<MatrixRepacker> repacker_;  // declared last: stops first
};

// The context a sequence gets when `requested` positions are asked for: at most the model's
// context length (when the file gives one). Throws qe::Error when requested < 1.
int effective_context(const ModelConfig& config, int requested);

}  // namespace qe
