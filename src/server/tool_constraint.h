// The constraint of tool_choice "required" and of a named function: the answer is a valid call
// (or, for "required" with parallel_tool_calls, one or more) of the tools' parameter schemas, in
// the form the model's chat template writes (grammar/tool_call_grammar.h), so that it comes back
// as message.tool_calls. A schema that cannot be compiled is a 400 naming the tool's parameters.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/job.h"
#include "grammar/masker_cache.h"
#include "grammar/tool_call_grammar.h"
#include "server/tool_request.h"

namespace qe {

// nullptr when the request does not force a call ("auto", "none"). `cache` must be over a trie
// made by vocabulary_trie(tokenizer, true). The rest as output_constraint (output_format.h).
std::shared_ptr<TokenConstraint> tool_call_constraint(const ToolRequest& request,
                                                      grammar::ToolCallForm form,
                                                      grammar::MaskerCache& cache,
                                                      std::vector<int32_t> end_ids, int max_tokens,
                                                      int32_t open_after);

}  // namespace qe
