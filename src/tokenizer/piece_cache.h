// A bounded map from a piece's bytes to its BPE ids. Text repeats words constantly, so most
// pieces are found here and never reach the merge loop. One cache per thread (no locking); it
// empties itself when full, so memory stays bounded whatever the input.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qe {

class PieceCache {
  public:
    static constexpr size_t kMaxEntries = 1 << 15;
    static constexpr size_t kMaxPiece = 64;  // longer pieces are not cached

    // Cached ids of `piece` (whose hash_bytes() is `hash`), or nullopt-like empty span with
    // found == false.
    bool find(std::string_view piece, uint64_t hash, std::span<const int32_t>& ids) const;
    void insert(std::string_view piece, uint64_t hash, std::span<const int32_t> ids);
    void clear();

    // The cache of the calling thread for the tokenizer with this instance number (a thread
    // switching between tokenizers starts afresh each time).
    static PieceCache& for_thread(uint64_t owner);

  private:
    struct Slot {
        uint64_t hash = 0;
        uint32_t key_offset = 0, ids_offset = 0;
        uint16_t key_size = 0, ids_size = 0;
        bool used = false;
    };
    static constexpr size_t kSlots = kMaxEntries * 2;

    std::vector<Slot> slots_;
    std::string keys_;
    std::vector<int32_t> ids_;
    size_t entries_ = 0;
    uint64_t owner_ = 0;
};

}  // namespace qe
