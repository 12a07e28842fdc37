// Incremental decoding for streaming generation: each token's text is released as soon as it is
// whole UTF-8. A character whose bytes are spread over several tokens (byte tokens of a Chinese
// character or an emoji) is held back until its last byte arrives, so a client never sees a
// broken sequence. Bytes that can never form a character become U+FFFD right away; finish()
// turns a character cut off by the end into U+FFFD. The concatenated output equals
// Tokenizer::decode of the same ids.
#pragma once

#include <cstdint>
#include <string>

#include "tokenizer/tokenizer.h"

namespace qe {

class StreamDecoder {
  public:
    // `tokenizer` must outlive the decoder.
    StreamDecoder(const Tokenizer& tokenizer, bool skip_control)
        : tokenizer_(tokenizer), skip_control_(skip_control) {}

    // The text this token completes (possibly empty). Throws qe::Error for an id outside the
    // vocabulary, leaving the decoder as it was.
    std::string push(int32_t id);

    // Whatever is still held back, as U+FFFD; the decoder is then empty and can be reused.
    std::string finish();

    // Bytes of an unfinished character waiting for the next token (0..3).
    size_t pending() const { return pending_.size(); }

  private:
    const Tokenizer& tokenizer_;
    bool skip_control_;
    std::string pending_;
};

}  // namespace qe
