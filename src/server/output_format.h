// What the answer must be: free text, any JSON object, a document of a JSON schema
// (`response_format`), or a document of a GBNF grammar (the `grammar` extra), and the job's
// TokenConstraint that makes the sampler keep to it (docs/GRAMMAR.md).
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "engine/job.h"
#include "grammar/masker_cache.h"
#include "tokenizer/tokenizer.h"

namespace qe {

struct OutputFormat {
    enum class Kind { kText, kJsonObject, kJsonSchema, kGrammar };
    Kind kind = Kind::kText;
    nlohmann::ordered_json schema;  // kJsonSchema
    std::string grammar;            // kGrammar: GBNF text
};

// `response_format` and `grammar` of a request body; a 400 naming the field for a bad one.
OutputFormat parse_output_format(const nlohmann::ordered_json& body);

// The vocabulary of `tokenizer` as the grammar's trie: its ordinary tokens (added and control
// tokens never stand inside a document). With `tool_call_tags`, the trie of tool-call grammars:
// <tool_call> and </tool_call> too, as grammar/tool_call_grammar.h marks them.
std::shared_ptr<const grammar::TokenTrie> vocabulary_trie(const Tokenizer& tokenizer,
                                                          bool tool_call_tags = false);

// The constraint for one job (nullptr for free text): the grammar compiled, or found in
// `cache`; a schema or grammar that does not compile is a 400 saying what and where. The
// document gets `max_tokens` tokens and ends with one of `end_ids`; with `open_after` >= 0 (the
// id of </think> when the prompt opened the thinking) it starts after that token.

std::shared_ptr<TokenConstraint> output_constraint(const OutputFormat& format,
                                                   grammar::MaskerCache& cache,
                                                   std::vector<int32_t> end_ids, int max_tokens,
                                                   int32_t open_after);

}  // namespace qe
