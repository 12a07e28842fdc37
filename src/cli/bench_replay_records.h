// The records of `qwen-edge bench --replay FILE`: JSON lines, each a chat and the answer to
// replay in it. A record is
//   {"name": "...", "messages": [{"role": ..., "content": "..."}, ...],
//    "passages": [{"file": "...", "heading": "...", "page": 3, "text": "..."}, ...],
//    "answer": "..."}
// where "name" and "passages" may be left out. With passages, the prompt is the one a chat with a
// knowledge base sends: the passages numbered into the last user message (chat/passages_prompt.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chat/passages_prompt.h"
#include "model/loaded_model.h"

namespace qe::cli {

struct ReplayRecord {
    std::string name;
    nlohmann::ordered_json messages;  // chat messages with string contents
    std::vector<Passage> passages;
    std::string answer;
};

// One record from its JSON. Throws qe::Error naming the field that is missing, of the wrong type
// or unknown.
ReplayRecord parse_replay_record(const nlohmann::ordered_json& j);

// Every record of the file (blank lines skipped). Throws qe::Error "FILE line N: why" for a line
// that is not a record, and for a file that cannot be read or holds none.
std::vector<ReplayRecord> read_replay_records(const std::string& path);

struct ReplayTokens {
    std::string name;
    std::vector<int> prompt;  // the chat rendered with the model's template, generation prompt on
    std::vector<int> answer;  // the answer's text, tokenized as the model would write it
};

// The record's prompt and answer in `model`'s tokens.
ReplayTokens encode_replay(const LoadedModel& model, const ReplayRecord& record);

}  // namespace qe::cli
