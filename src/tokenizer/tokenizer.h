// The Qwen2 tokenizer: text -> ids exactly as Hugging Face's tokenizers computes them, and ids ->
// text.
//
// Encoding, per Hugging Face's pipeline:
//   1. added-token literals are cut out of the raw text (SpecialTokens::kParse only);
//   2. each stretch between them is NFC-normalized (nfc.h),
//   3. split by Qwen2's pattern (pretokenize.h),
//   4. and each piece's bytes are merged by BPE (bpe.h), through a per-thread cache.
// Decoding joins the tokens' bytes and repairs ill-formed UTF-8 with U+FFFD.
//
// A Tokenizer is immutable after construction; encode and decode may run on many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/bpe.h"
#include "tokenizer/literal_matcher.h"
#include "tokenizer/vocab.h"

namespace qe {

enum class SpecialTokens {
    // Added-token literals in the text ("<|im_end|>") become their ids: for trusted text such
    // as a rendered chat template. Hugging Face's default.
    kParse,
    // Every character is text: for what users and API clients write, so that typing
    // "<|im_end|>" cannot end a turn or open a new one.
    kAsText,
};

// A piece of a text assembled from a template's own text (kParse) and what a client wrote
// (kAsText).
struct TextPiece {
    std::string_view text;
    SpecialTokens mode;
};

class Tokenizer {
  public:
    explicit Tokenizer(Vocab vocab);

    // Throws qe::Error when `text` is not valid UTF-8 (naming the byte offset).
    std::vector<int32_t> encode(std::string_view text,
                                SpecialTokens mode = SpecialTokens::kParse) const;
    // Appends to `ids` instead.
    void encode(std::string_view text, SpecialTokens mode, std::vector<int32_t>& ids) const;

    // Text of a sequence of ids; control tokens (<|im_end|>, ...) are left out when
    // `skip_control`. Ill-formed UTF-8 (a character cut by the end) becomes U+FFFD.
    // Throws qe::Error for an id outside [0, size()).
    std::string decode(std::span<const int32_t> ids, bool skip_control = false) const;

    // The pieces as one text: added-token literals are cut out only in the kParse pieces, and
    // the text between literals is split and merged as if the pieces were joined. So a client's
    // text inside a template tokenizes as it does in the whole text, yet cannot become (or
    // complete) a control token. Throws qe::Error when a piece is not valid UTF-8.
    std::vector<int32_t> encode_pieces(std::span<const TextPiece> pieces) const;
    // Raw bytes of one token: its literal text for added tokens, "" for unused ids. Throws
    // qe::Error for an id outside [0, size()).
    std::string_view token_bytes(int32_t id) const;
    TokenKind kind(int32_t id) const;

    // Id of the added token whose literal is `text` (e.g. "<|im_end|>"), or -1.
    int32_t find_added(std::string_view text) const;

    int32_t size() const { return vocab_->size(); }
    int32_t bos_id() const { return vocab_->bos_id; }
    int32_t eos_id() const { return vocab_->eos_id; }
    int32_t pad_id() const { return vocab_->pad_id; }
    bool add_bos() const { return vocab_->add_bos; }
    const Vocab& vocab() const { return *vocab_; }

  private:
    // Steps 2-4 for a stretch of text without literals.
    void encode_text(std::string_view text, std::vector<int32_t>& ids) const;
    void check_id(int32_t id) const;

    std::unique_ptr<const Vocab> vocab_;  // on the heap: bpe_ points into it
    std::unique_ptr<const BpeModel> bpe_;
    LiteralMatcher literals_;
    uint64_t instance_;  // tells per-thread caches of different tokenizers apart
};

}  // namespace qe
