// A byte-level BPE vocabulary as read from a model: token bytes, kinds, merges and special ids.
// The readers live with the model files (model/vocab_load.h): GGUF metadata, or tokenizer.json
// and tokenizer_config.json of a Hugging Face folder.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tokenizer/pretokenize.h"

namespace qe {

enum class TokenKind : uint8_t {
    kNormal,       // ordinary BPE token, reached by merges
    kControl,      // special added token (<|im_start|>): a literal; decoding may skip it
    kUserDefined,  // other added token (<tool_call>): a literal; always decoded
    kUnused,       // placeholder id without text (padding rows); never produced, decodes to ""
};

struct Vocab {
    std::vector<std::string> tokens;  // [n_tokens] raw bytes (added tokens: their literal text)
    std::vector<TokenKind> kinds;     // [n_tokens]
    // Merge rules by priority (rank 0 first), as the raw bytes of the left and right halves.
    std::vector<std::pair<std::string, std::string>> merges;
    int32_t bos_id = -1;  // -1 when the model has none
    int32_t eos_id = -1;  // end of turn for chat models (<|im_end|> for Qwen2.5-Instruct)
    int32_t pad_id = -1;
    bool add_bos = false;
    SplitPattern split = SplitPattern::Qwen2;  // the pre-tokenizer's pattern
    std::string source;                        // the file or folder it came from, for messages

    int32_t size() const { return int32_t(tokens.size()); }
};

}  // namespace qe
