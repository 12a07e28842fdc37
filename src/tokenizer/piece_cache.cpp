#include "tokenizer/piece_cache.h"

namespace qe {

bool PieceCache::find(std::string_view piece, uint64_t hash, std::span<const int32_t>& ids) const {
    if (slots_.empty()) return false;
    for (size_t slot = hash & (kSlots - 1);; slot = (slot + 1) & (kSlots - 1)) {
        const Slot& s = slots_[slot];
        if (!s.used) return false;
        if (s.hash == hash && s.key_size == piece.size() &&
            std::string_view(keys_).substr(s.key_offset, s.key_size) == piece) {
            ids = std::span<const int32_t>(ids_.data() + s.ids_offset, s.ids_size);
            return true;
        }
    }
}

void PieceCache::insert(std::string_view piece, uint64_t hash, std::span<const int32_t> ids) {
    if (piece.size() > kMaxPiece || ids.size() > kMaxPiece) return;
    if (entries_ >= kMaxEntries) clear();
    if (slots_.empty()) slots_.resize(kSlots);
    size_t slot = hash & (kSlots - 1);
    while (slots_[slot].used) slot = (slot + 1) & (kSlots - 1);
    slots_[slot] = Slot{hash,
                        uint32_t(keys_.size()),
                        uint32_t(ids_.size()),
                        uint16_t(piece.size()),
                        uint16_t(ids.size()),
                        true};
    keys_.append(piece);
    ids_.insert(ids_.end(), ids.begin(), ids.end());
    ++entries_;
}

void PieceCache::clear() {
    slots_.assign(slots_.size(), Slot{});
    keys_.clear();
    ids_.clear();
    entries_ = 0;
}

PieceCache& PieceCache::for_thread(uint64_t owner) {
    thread_local PieceCache cache;
    if (cache.owner_ != owner) {
        cache.clear();
        cache.owner_ = owner;
    }
    return cache;
}

}  // namespace qe
