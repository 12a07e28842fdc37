// The JSON-lines protocol of tokenize and detokenize: one JSON object per stdin line in, one per
// stdout line out (flushed, so a pipe partner can wait for each answer).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace qe::cli {

// Calls answer(input, where) for every non-blank stdin line parsed as JSON and prints what it
// returns. `where` ("stdin line N: ") prefixes the errors the caller throws. Throws qe::Error for a
// line that is not JSON.
void for_each_json_line(const std::function<nlohmann::json(const nlohmann::json& input,
                                                           const std::string& where)>& answer);

}  // namespace qe::cli
