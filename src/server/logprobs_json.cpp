#include "server/logprobs_json.h"

#include <string>

namespace qe {

using json = nlohmann::ordered_json;

namespace {

json byte_values(std::string_view bytes) {
    json out = json::array();
    for (const char c : bytes) out.push_back(int(static_cast<unsigned char>(c)));
    return out;
}

json token_json(const TokenLogprob& t, const Tokenizer& tokenizer) {
    const std::string_view bytes = tokenizer.token_bytes(t.id);
    return {{"token", std::string(bytes)}, {"logprob", t.logprob}, {"bytes", byte_values(bytes)}};
}

}  // namespace

json chat_logprob_json(const AnswerLogprob& lp, const Tokenizer& tokenizer) {
    json entry = token_json(lp.token, tokenizer);
    json top = json::array();
    for (const TokenLogprob& t : lp.top) top.push_back(token_json(t, tokenizer));
    entry["top_logprobs"] = std::move(top);
    return entry;
}

void LegacyLogprobs::add(const AnswerLogprob& lp, const Tokenizer& tokenizer) {
    const std::string_view bytes = tokenizer.token_bytes(lp.token.id);
    tokens_.push_back(std::string(bytes));
    token_logprobs_.push_back(lp.token.logprob);
    json top = json::object();
    for (const TokenLogprob& t : lp.top) top[std::string(tokenizer.token_bytes(t.id))] = t.logprob;
    top_logprobs_.push_back(std::move(top));
    text_offset_.push_back(offset_);
    offset_ += bytes.size();
}

json LegacyLogprobs::take() {
    json out = {{"tokens", std::move(tokens_)},
                {"token_logprobs", std::move(token_logprobs_)},
                {"top_logprobs", std::move(top_logprobs_)},
                {"text_offset", std::move(text_offset_)}};
    tokens_ = token_logprobs_ = top_logprobs_ = text_offset_ = json::array();
    return out;
}

}  // namespace qe
