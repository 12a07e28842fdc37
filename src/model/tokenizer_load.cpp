#include "model/tokenizer_load.h"

#include <filesystem>

#include "core/error.h"
#include "model/model_file.h"
#include "model/vocab_load.h"

namespace qe {

Tokenizer load_tokenizer(const ModelFile& model) {
    if (const GgufFile* gguf = model.gguf()) return Tokenizer(vocab_from_gguf(*gguf, model.path()));
    Vocab vocab = vocab_from_hf(model.hf_folder().string());
    // The embedding has more rows than tokenizer.json has tokens (Qwen pads it: 151936 rows for
    // 151665 tokens, 248320 for Qwen3.5). llama.cpp's converter gives each extra row a "[PADn]"
    // token of type unused, which the GGUF reader keeps as an unused id without text; so does
    // this, so that an id the model picks there decodes (to nothing) as it does from the GGUF.
    for (int32_t id = vocab.size(); id < model.config().vocab_size; ++id) {
        vocab.tokens.emplace_back();
        vocab.kinds.push_back(TokenKind::kUnused);
    }
    return Tokenizer(std::move(vocab));
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
