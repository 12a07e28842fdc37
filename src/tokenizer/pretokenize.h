// Qwen2's pre-tokenizer: the split pattern
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*
//   |\s*[\r\n]+|\s+(?!\S)|\s+
// matched leftmost-first, the way Hugging Face's Oniguruma-backed Split(Isolated) applies it, by a
// hand-written matcher over the tables of unicode_class.h (several times faster than PCRE2; see
// docs/TOKENIZER.md). Every character matches some alternative, so the pieces cover the text.
// Qwen3.5's pattern (GGUF pre-tokenizer "qwen35") is the same but for \p{M}: combining marks join
// the letters they follow ([\p{L}\p{M}]+) and leave the punctuation class.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace qe {

// The pattern exactly as written in Qwen2's tokenizer.json.
inline constexpr std::string_view kQwen2SplitPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// The pattern exactly as written in Qwen3.5's tokenizer.json.
inline constexpr std::string_view kQwen35SplitPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

enum class SplitPattern { Qwen2, Qwen35 };

// Yields the pieces of `text` (valid UTF-8, already NFC) in order.
class Qwen2Splitter {
  public:
    explicit Qwen2Splitter(std::string_view text, SplitPattern pattern = SplitPattern::Qwen2)
        : text_(text), pattern_(pattern) {}
    bool next(std::string_view& piece);

  private:
    std::string_view text_;
    SplitPattern pattern_;
    size_t pos_ = 0;
};

// All pieces at once (tests and tools).
std::vector<std::string_view> split_qwen2(std::string_view text,
                                          SplitPattern pattern = SplitPattern::Qwen2);

}  // namespace qe
