// A loaded Qwen2 model: the file (which owns the mappings) and the weights bound from it.
#pragma once

#include <memory>
#include <string>

#include "model/config.h"
#include "model/model_file.h"
#include "model/weights.h"

namespace qe {

class Model {
  public:
    // Opens a .gguf file or a Hugging Face folder and binds every weight; throws qe::Error naming
    // the file and the first problem (missing tensor, wrong shape or type, bad config).
    static std::unique_ptr<Model> open(const std::string& path);

    const ModelConfig& config() const { return file_.config(); }
    const Weights& weights() const { return weights_; }
    const ModelFile& file() const { return file_; }

    // e.g. "qwen2, 24 layers, dim 896, vocab 151936, 494.0M parameters, 525.1 MB"
    std::string describe() const;

  private:
    explicit Model(ModelFile file);

    ModelFile file_;
    Weights weights_;
};

}  // namespace qe
