// Answer tokens' log-probabilities in OpenAI's shapes. A token's text is its bytes (sent with
// invalid UTF-8 replaced, as the JSON must be text; `bytes` stays exact).
//
// Chat: choices[0].logprobs = {"content": [{"token", "logprob", "bytes", "top_logprobs":
//       [{"token", "logprob", "bytes"}]}]}
// Completions (legacy): choices[0].logprobs = {"tokens", "token_logprobs", "top_logprobs":
//       [{token: logprob}], "text_offset"}, where text_offset counts bytes of the answer.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>

#include "chat/chat_turns.h"
#include "tokenizer/tokenizer.h"

namespace qe {

// One entry of a chat answer's logprobs.content.
nlohmann::ordered_json chat_logprob_json(const AnswerLogprob& lp, const Tokenizer& tokenizer);

// A completion's logprobs, token by token.
class LegacyLogprobs {
  public:
    void add(const AnswerLogprob& lp, const Tokenizer& tokenizer);
    bool empty() const { return tokens_.empty(); }
    // The tokens added since the last take(), and the next ones start afresh (the text offsets
    // go on counting).
    nlohmann::ordered_json take();

  private:
    nlohmann::ordered_json tokens_ = nlohmann::ordered_json::array();
    nlohmann::ordered_json token_logprobs_ = nlohmann::ordered_json::array();
    nlohmann::ordered_json top_logprobs_ = nlohmann::ordered_json::array();
    nlohmann::ordered_json text_offset_ = nlohmann::ordered_json::array();
    size_t offset_ = 0;  // bytes of the answer so far
};

}  // namespace qe
