#include "tokenizer/tokenizer.h"

#include <atomic>

#include "core/error.h"
#include "core/utf8.h"
#include "tokenizer/hash.h"
#include "tokenizer/nfc.h"
#include "tokenizer/piece_cache.h"
#include "tokenizer/pretokenize.h"

namespace qe {

namespace {

std::vector<LiteralMatcher::Literal> added_literals(const Vocab& vocab) {
    std::vector<LiteralMatcher::Literal> out;
    for (int32_t id = 0; id < vocab.size(); ++id) {
        const TokenKind kind = vocab.kinds[size_t(id)];
        if (kind == TokenKind::kControl || kind == TokenKind::kUserDefined) {
            out.push_back({vocab.tokens[size_t(id)], id});
        }
    }
    return out;
}

uint64_t next_instance() {
    static std::atomic<uint64_t> counter{0};
    return ++counter;
}

}  // namespace

Tokenizer::Tokenizer(Vocab vocab)
    : vocab_(std::make_unique<const Vocab>(std::move(vocab))),
      bpe_(std::make_unique<const BpeModel>(*vocab_)),
      literals_(added_literals(*vocab_)),
      instance_(next_instance()) {}

std::vector<int32_t> Tokenizer::encode(std::string_view text, SpecialTokens mode) const {
    std::vector<int32_t> ids;
    ids.reserve(text.size() / 3 + 4);
    encode(text, mode, ids);
    return ids;
}

void Tokenizer::encode(std::string_view text, SpecialTokens mode, std::vector<int32_t>& ids) const {
    if (const size_t bad = utf8::find_invalid(text); bad != std::string_view::npos) {
        throw Error("text to tokenize is not valid UTF-8 (byte " + std::to_string(bad) + ")");
    }
    if (mode == SpecialTokens::kAsText || literals_.empty()) {
        encode_text(text, ids);
        return;
    }
    size_t pos = 0;
    while (pos < text.size()) {
        const LiteralMatcher::Match m = literals_.find(text, pos);
        if (m.pos == std::string_view::npos) {
            encode_text(text.substr(pos), ids);
            break;
        }
        encode_text(text.substr(pos, m.pos - pos), ids);
        ids.push_back(m.id);
        pos = m.pos + m.len;
    }
}

std::vector<int32_t> Tokenizer::encode_pieces(std::span<const TextPiece> pieces) const {
    std::vector<int32_t> ids;
    std::string between;  // text since the last literal, across pieces
    for (const TextPiece& piece : pieces) {
        const std::string_view text = piece.text;
        if (const size_t bad = utf8::find_invalid(text); bad != std::string_view::npos)
            throw Error("text to tokenize is not valid UTF-8 (byte " + std::to_string(bad) + ")");
        size_t pos = 0;
        while (piece.mode == SpecialTokens::kParse && !literals_.empty() && pos < text.size()) {
            const LiteralMatcher::Match m = literals_.find(text, pos);
            if (m.pos == std::string_view::npos) break;
            between.append(text.substr(pos, m.pos - pos));
            encode_text(between, ids);
            between.clear();
            ids.push_back(m.id);
            pos = m.pos + m.len;
        }
        between.append(text.substr(pos));
    }
    encode_text(between, ids);
    return ids;
}

void Tokenizer::encode_text(std::string_view text, std::vector<int32_t>& ids) const {
    if (text.empty()) return;
    std::string scratch;
    const std::string_view normal = unicode::nfc(text, scratch);
    PieceCache& cache = PieceCache::for_thread(instance_);
    Qwen2Splitter splitter(normal, vocab_->split);
    std::string_view piece;
    std::span<const int32_t> cached;
    while (splitter.next(piece)) {
        if (piece.size() > PieceCache::kMaxPiece) {
            bpe_->encode(piece, ids);
            continue;
        }
        const uint64_t hash = hash_bytes(piece);
        if (cache.find(piece, hash, cached)) {
            ids.insert(ids.end(), cached.begin(), cached.end());
            continue;
        }
        const size_t start = ids.size();
        bpe_->encode(piece, ids);
        cache.insert(piece, hash, std::span<const int32_t>(ids).subspan(start));
    }
}

void Tokenizer::check_id(int32_t id) const {
    if (id < 0 || id >= size()) {
        throw Error("token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                    std::to_string(size()) + ")");
    }
}

std::string_view Tokenizer::token_bytes(int32_t id) const {
    check_id(id);
    return vocab_->tokens[size_t(id)];
}

TokenKind Tokenizer::kind(int32_t id) const {
    check_id(id);
    return vocab_->kinds[size_t(id)];
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool skip_control) const {
    std::string bytes;
    for (const int32_t id : ids) {
        check_id(id);
        if (skip_control && vocab_->kinds[size_t(id)] == TokenKind::kControl) continue;
        bytes += vocab_->tokens[size_t(id)];
    }
    if (utf8::find_invalid(bytes) == std::string_view::npos) return bytes;
    std::string text;
    utf8::append_lossy(bytes, text);
    return text;
}

int32_t Tokenizer::find_added(std::string_view text) const {
    const LiteralMatcher::Match m = literals_.find(text, 0);
    return m.pos == 0 && m.len == text.size() ? m.id : -1;
}

}  // namespace qe
