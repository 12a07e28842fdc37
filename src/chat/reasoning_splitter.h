// Splits a streamed answer into its thinking (`<think>…</think>`) and its content, as Qwen3 and
// DeepSeek-R1 write them. Works on decoded text, so the tags may arrive as single added tokens or
// spread over several text pieces: a tail that may still become a tag is held back until it is
// certain either way.
//
// What counts as thinking (as llama.cpp's "deepseek" reasoning format):
// - a `<think>` block at the start of the answer (after whitespace), or right after a closed
//   block; a `<think>` later in the content is content;
// - everything up to `</think>` when the answer starts inside the thinking (the prompt ended
//   with an open `<think>`: see prompt_opens_thinking);
// - the thinking is trimmed of whitespace at both ends, and the whitespace between `</think>`
//   and the content ("\n\n" in Qwen3) is dropped;
// - an answer cut off inside its thinking has thinking and no content.
// All reasoning comes before any content.
#pragma once

#include <string>
#include <string_view>

namespace qe {

class ReasoningSplitter {
  public:
    // `in_thinking`: the answer starts inside a thinking block.
    explicit ReasoningSplitter(bool in_thinking = false);

    struct Pieces {
        std::string reasoning;  // the next piece of the thinking
        std::string content;    // the next piece of the answer proper (after `reasoning`)
    };

    Pieces push(std::string_view text);
    // The end of the answer: releases what was held back (a partial tag is text).
    Pieces finish();

    static constexpr std::string_view kOpen = "<think>";
    static constexpr std::string_view kClose = "</think>";

  private:
    enum class State {
        Leading,    // before any content: whitespace held, a `<think>` may still open
        Thinking,   // inside a block, before its first non-space character
        Reasoning,  // inside a block
        Content,    // the answer proper: everything passes
    };
    void run(Pieces& out, bool end);

    State state_;
    bool after_block_ = false;  // a thinking block has closed
    std::string pending_;       // text not yet released
};

// Whether a rendered prompt leaves the answer inside an open thinking block: it ends (but for
// whitespace) with `<think>`, as templates that force thinking do.
bool prompt_opens_thinking(std::string_view prompt);

}  // namespace qe
