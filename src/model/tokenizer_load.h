// Where a tokenizer comes from: the model being run, or a path given on the command line.
#pragma once

#include <string>

#include "tokenizer/tokenizer.h"

namespace qe {

class ModelFile;

// From an opened model: its GGUF metadata, or the tokenizer files of its Hugging Face folder.
Tokenizer load_tokenizer(const ModelFile& model);

// From a .gguf file (opened as a ModelFile) or a folder holding tokenizer.json (the tokenizer
// files alone suffice; no weights are needed). Throws qe::Error.
Tokenizer load_tokenizer(const std::string& path);

}  // namespace qe
