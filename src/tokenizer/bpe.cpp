#include "tokenizer/bpe.h"

#include <algorithm>
#include <bit>
#include <queue>

#include "core/error.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/hash.h"

namespace qe {

namespace {

constexpr uint32_t kNoRank = UINT32_MAX;

uint64_t pair_key(int32_t left, int32_t right) {
    return uint64_t(uint32_t(left)) << 32 | uint32_t(right);
}

// Open-addressing tables at most about 60% full.
size_t table_size(size_t entries) {
    return std::bit_ceil(std::max<size_t>(16, entries + entries / 2 + 1));
}

}  // namespace

BpeModel::BpeModel(const Vocab& vocab) : vocab_(vocab) {
    index_tokens();
    index_merges();
}

// Loading indexes 151k tokens and 151k merges with random accesses into tables of several MB;
// done one at a time, every access waits for memory. Batches of kBatch first compute all hashes
// and prefetch, so the waits overlap.
constexpr size_t kBatch = 16;

void BpeModel::index_tokens() {
    token_slots_.assign(table_size(vocab_.tokens.size()), 0);
    token_mask_ = token_slots_.size() - 1;
    std::fill(std::begin(byte_token_), std::end(byte_token_), -1);
    uint64_t hashes[kBatch];
    for (int32_t base = 0; base < vocab_.size(); base += int32_t(kBatch)) {
        const int32_t count = std::min<int32_t>(int32_t(kBatch), vocab_.size() - base);
        for (int32_t i = 0; i < count; ++i) {
            hashes[i] = hash_bytes(vocab_.tokens[size_t(base + i)]);
            __builtin_prefetch(&token_slots_[hashes[i] & token_mask_], 1);
        }
        for (int32_t i = 0; i < count; ++i) {
            const int32_t id = base + i;
            const std::string& bytes = vocab_.tokens[size_t(id)];
            if (vocab_.kinds[size_t(id)] != TokenKind::kNormal || bytes.empty()) continue;
            if (bytes.size() == 1) byte_token_[static_cast<unsigned char>(bytes[0])] = id;
            const uint64_t hash = hashes[i];
            for (uint64_t slot = hash & token_mask_;; slot = (slot + 1) & token_mask_) {
                uint64_t& e = token_slots_[slot];
                if (e == 0 ||
                    ((e ^ hash) >> 32 == 0 && vocab_.tokens[(e & 0xFFFFFFFF) - 1] == bytes)) {
                    e = (hash & ~0xFFFFFFFFull) |
                        (uint64_t(id) + 1);  // a repeated spelling keeps the last id
                    break;
                }
            }
        }
    }
}

int32_t BpeModel::find(std::string_view bytes) const {
    return find_hashed(bytes, hash_bytes(bytes));
}

int32_t BpeModel::find_hashed(std::string_view bytes, uint64_t hash) const {
    for (uint64_t slot = hash & token_mask_;; slot = (slot + 1) & token_mask_) {
        const uint64_t e = token_slots_[slot];
        if (e == 0) return -1;
        const int32_t id = int32_t(e & 0xFFFFFFFF) - 1;
        if ((e ^ hash) >> 32 == 0 && vocab_.tokens[size_t(id)] == bytes) return id;
    }
}

void BpeModel::index_merges() {
    const size_t n = vocab_.merges.size();
    merge_slots_.assign(table_size(n), Merge{});
    merge_mask_ = merge_slots_.size() - 1;
    // Per batch: the halves and the joined token of each rule, looked up together.
    std::string joined[kBatch];
    uint64_t hashes[3][kBatch];
    int32_t ids[3][kBatch];
    for (size_t base = 0; base < n; base += kBatch) {
        const size_t count = std::min(kBatch, n - base);
        for (size_t i = 0; i < count; ++i) {
            const auto& [left, right] = vocab_.merges[base + i];
            joined[i].assign(left).append(right);
            hashes[0][i] = hash_bytes(left);
            hashes[1][i] = hash_bytes(right);
            hashes[2][i] = hash_bytes(joined[i]);
            for (int k = 0; k < 3; ++k)
                __builtin_prefetch(&token_slots_[hashes[k][i] & token_mask_]);
        }
        for (size_t i = 0; i < count; ++i) {  // the candidate tokens, to compare bytes with
            for (int k = 0; k < 3; ++k) {
                const uint64_t e = token_slots_[hashes[k][i] & token_mask_];
                if (e != 0) __builtin_prefetch(&vocab_.tokens[(e & 0xFFFFFFFF) - 1]);
            }
        }
        for (size_t i = 0; i < count; ++i) {
            const auto& [left, right] = vocab_.merges[base + i];
            ids[0][i] = find_hashed(left, hashes[0][i]);
            ids[1][i] = find_hashed(right, hashes[1][i]);
            ids[2][i] = find_hashed(joined[i], hashes[2][i]);
            if (ids[0][i] < 0 || ids[1][i] < 0 || ids[2][i] < 0) {
                throw Error(vocab_.source + ": merge rule " + std::to_string(base + i) + " (\"" +
                            byte_level::encode(left) + " " + byte_level::encode(right) + "\") " +
                            (ids[0][i] >= 0 && ids[1][i] >= 0 ? "makes" : "uses") +
                            " a token that is not in the vocabulary");
            }
            __builtin_prefetch(&merge_slots_[mix64(pair_key(ids[0][i], ids[1][i])) & merge_mask_],
                               1);
        }
        for (size_t i = 0; i < count; ++i) {
            const uint64_t key = pair_key(ids[0][i], ids[1][i]);
            for (uint64_t slot = mix64(key) & merge_mask_;; slot = (slot + 1) & merge_mask_) {
                Merge& m = merge_slots_[slot];
                if (m.pair == ~uint64_t(0) || m.pair == key) {
                    // A repeated rule takes the later rank, as Hugging Face's map building does.
                    m = Merge{key, uint32_t(base + i), ids[2][i]};
                    break;
                }
            }
        }
    }
}

const BpeModel::Merge* BpeModel::merge_of(int32_t left, int32_t right) const {
    const uint64_t key = pair_key(left, right);
    for (uint64_t slot = mix64(key) & merge_mask_;; slot = (slot + 1) & merge_mask_) {
        const Merge& m = merge_slots_[slot];
        if (m.pair == key) return &m;
        if (m.pair == ~uint64_t(0)) return nullptr;
    }
}

void BpeModel::byte_symbols(std::string_view piece, std::vector<int32_t>& ids) const {
    ids.clear();
    for (unsigned char b : piece) {
        if (byte_token_[b] >= 0) ids.push_back(byte_token_[b]);
    }
}

void BpeModel::encode(std::string_view piece, std::vector<int32_t>& out) const {
    if (piece.size() <= kScanLimit) {
        encode_scan(piece, out);
    } else {
        encode_heap(piece, out);
    }
}

void BpeModel::encode_scan(std::string_view piece, std::vector<int32_t>& out) const {
    // ids[i] and the rank of the pair (ids[i], ids[i + 1]) in ranks[i]; fixed arrays for the
    // common short pieces.
    int32_t small_ids[kScanLimit];
    uint32_t small_ranks[kScanLimit];
    std::vector<int32_t> big_ids;
    std::vector<uint32_t> big_ranks;
    int32_t* ids = small_ids;
    uint32_t* ranks = small_ranks;
    if (piece.size() > kScanLimit) {
        big_ids.resize(piece.size());
        big_ranks.resize(piece.size());
        ids = big_ids.data();
        ranks = big_ranks.data();
    }
    size_t n = 0;
    for (unsigned char b : piece) {
        if (byte_token_[b] >= 0) ids[n++] = byte_token_[b];
    }
    auto rank_at = [&](size_t i) {
        const Merge* m = merge_of(ids[i], ids[i + 1]);
        return m ? m->rank : kNoRank;
    };
    for (size_t i = 0; i + 1 < n; ++i) ranks[i] = rank_at(i);
    while (n > 1) {
        size_t best = 0;
        for (size_t i = 1; i + 1 < n; ++i) {
            if (ranks[i] < ranks[best]) best = i;
        }
        if (ranks[best] == kNoRank) break;
        ids[best] = merge_of(ids[best], ids[best + 1])->result;
        for (size_t i = best + 1; i + 1 < n; ++i) ids[i] = ids[i + 1];
        for (size_t i = best + 1; i + 2 < n; ++i) ranks[i] = ranks[i + 1];
        --n;
        if (best > 0) ranks[best - 1] = rank_at(best - 1);
        if (best + 1 < n) ranks[best] = rank_at(best);
    }
    out.insert(out.end(), ids, ids + n);
}

void BpeModel::encode_heap(std::string_view piece, std::vector<int32_t>& out) const {
    std::vector<int32_t> ids;
    byte_symbols(piece, ids);
    const int32_t n = int32_t(ids.size());
    // A doubly linked list over the symbols; a merged-away symbol gets id -1.
    std::vector<int32_t> prev(static_cast<size_t>(n)), next(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i) {
        prev[size_t(i)] = i - 1;
        next[size_t(i)] = i + 1 < n ? i + 1 : -1;
    }
    struct Candidate {
        uint32_t rank;
        int32_t pos;  // the left symbol; symbols keep their first position, so pos orders them
        int32_t left, right;
        bool operator>(const Candidate& o) const {
            return rank != o.rank ? rank > o.rank : pos > o.pos;
        }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue;
    auto push = [&](int32_t pos) {
        if (pos < 0 || next[size_t(pos)] < 0) return;
        const int32_t l = ids[size_t(pos)], r = ids[size_t(next[size_t(pos)])];
        if (const Merge* m = merge_of(l, r)) queue.push({m->rank, pos, l, r});
    };
    for (int32_t i = 0; i + 1 < n; ++i) push(i);
    while (!queue.empty()) {
        const Candidate c = queue.top();
        queue.pop();
        const int32_t right = next[size_t(c.pos)];
        // Stale entries: the left symbol was merged away or changed, or its neighbour did.
        if (ids[size_t(c.pos)] != c.left || right < 0 || ids[size_t(right)] != c.right) continue;
        ids[size_t(c.pos)] = merge_of(c.left, c.right)->result;
        ids[size_t(right)] = -1;
        next[size_t(c.pos)] = next[size_t(right)];
        if (next[size_t(right)] >= 0) prev[size_t(next[size_t(right)])] = c.pos;
        push(prev[size_t(c.pos)]);
        push(c.pos);
    }
    for (int32_t i = n > 0 ? 0 : -1; i >= 0; i = next[size_t(i)]) out.push_back(ids[size_t(i)]);
}

}  // namespace qe
