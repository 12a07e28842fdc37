#include "model/tokenizer_load.h"

#include <filesystem>

#include "core/error.h"
#include "model/model_file.h"
#include "model/vocab_load.h"

namespace qe {

Tokenizer load_tokenizer(const ModelFile& model) {
    if (const GgufFile* gguf = model.gguf()) return Tokenizer(vocab_from_gguf(*gguf, model.path()));
    return Tokenizer(vocab_from_hf(model.hf_folder().string()));
}

Tokenizer load_tokenizer(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return Tokenizer(vocab_from_hf(path));
    if (!std::filesystem::exists(path, ec)) {
        throw Error(path +
                    ": no such file or folder (give a .gguf file or a folder with "
                    "tokenizer.json)");
    }
    return load_tokenizer(ModelFile::open(path));
}

}  // namespace qe
