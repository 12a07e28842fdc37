#include "model/model.h"

#include <cstdio>
#include <utility>

#include "core/error.h"

namespace qe {

Model::Model(ModelFile file) : file_(std::move(file)) {
    if (file_.config().architecture != "qwen2")
        throw Error(file_.path() + ": architecture '" + file_.config().architecture +
                    "' is not supported (only qwen2)");
    try {
        weights_ = bind_weights(file_, file_.config());
    } catch (const Error& e) {
        const std::string what = e.what();
        // The accessor already names the file; the shape checks here don't.
        throw Error(what.starts_with(file_.path()) ? what : file_.path() + ": " + what);
    }
}

std::unique_ptr<Model> Model::open(const std::string& path) {
    return std::unique_ptr<Model>(new Model(ModelFile::open(path)));
}

std::string Model::describe() const {
    const ModelConfig& c = config();
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s, %d layers, dim %d, vocab %d, %.1fM parameters, %.1f MB",
                  c.architecture.c_str(), c.n_layers, c.dim, c.vocab_size,
                  double(file_.parameter_count()) / 1e6, double(file_.weight_bytes()) / 1e6);
    return buf;
}

}  // namespace qe
