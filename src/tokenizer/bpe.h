// Byte-level BPE over raw bytes: a piece starts as one token per byte, then the adjacent pair of
// lowest merge rank is merged (leftmost first on ties) until no pair has a merge rule. This is
// Hugging Face's BPE::merge_word with the same tie-breaking; short pieces use a linear scan,
// long ones a priority queue, both giving the same result.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace qe {

class BpeModel {
  public:
    // Indexes the vocabulary (which must outlive the model). Throws qe::Error when a merge rule
    // names a token that does not exist or whose result is not in the vocabulary.
    explicit BpeModel(const Vocab& vocab);

    // Appends the ids of one piece of text (raw bytes). Bytes without a token of their own are
    // dropped, as Hugging Face does for a BPE model without an unknown token.
    void encode(std::string_view piece, std::vector<int32_t>& out) const;

    // The two merge loops, exposed so that tests can check they agree.
    void encode_scan(std::string_view piece, std::vector<int32_t>& out) const;
    void encode_heap(std::string_view piece, std::vector<int32_t>& out) const;

    // Id of the ordinary (kNormal) token with exactly these bytes, or -1.
    int32_t find(std::string_view bytes) const;

    // Pieces of up to this many bytes take the linear scan.
    static constexpr size_t kScanLimit = 48;

  private:
    struct Merge {
        uint64_t pair = ~uint64_t(0);  // left id << 32 | right id; ~0 marks an empty slot
        uint32_t rank = 0;
        int32_t result = -1;
    };

    // The merge rule for two adjacent tokens, or nullptr.
    const Merge* merge_of(int32_t left, int32_t right) const;
    int32_t find_hashed(std::string_view bytes, uint64_t hash) const;
    void index_tokens();
    void index_merges();
    // The initial one-token-per-byte symbols of a piece.
    void byte_symbols(std::string_view piece, std::vector<int32_t>& ids) const;

    const Vocab& vocab_;
    // Open addressing: high 32 bits of the hash << 32 | (token id + 1); 0 = empty.
    std::vector<uint64_t> token_slots_;
    uint64_t token_mask_ = 0;
    std::vector<Merge> merge_slots_;
    uint64_t merge_mask_ = 0;
    int32_t byte_token_[256];  // id of each single-byte token, -1 if none
};

}  // namespace qe
