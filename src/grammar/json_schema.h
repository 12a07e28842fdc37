// JSON Schema to the grammar IR: the documents the grammar accepts all validate against the
// schema (it may accept fewer than the schema does: properties come in the schema's order,
// no property beyond `properties` is written, bounded numbers keep to a simple subset).
//
// Supported: type (a name or a list: nullable via ["string", "null"]), OpenAPI's nullable,
// object (properties, required, additionalProperties), array (items, minItems, maxItems),
// string (minLength, maxLength, format date/time/date-time/uuid/email), integer and number
// (minimum, maximum, exclusiveMinimum, exclusiveMaximum), boolean, null, enum, const, anyOf,
// oneOf (as anyOf: branches that overlap are the schema author's to avoid), local $ref ("#",
// "#/$defs/...", "#/definitions/...") with recursion, and the annotations (title, description,
// default, examples, ...). Any other keyword is refused: qe::Error naming it and its place as a
// JSON pointer, never silently ignored. Limits: grammar_limits.h.
#pragma once

#include <nlohmann/json.hpp>

#include "grammar/grammar.h"

namespace qe::grammar {

// Properties come in the order of `schema`'s keys: an ordered_json keeps the order they were
// written in, a json sorts them.
Grammar compile_json_schema(const nlohmann::ordered_json& schema);
Grammar compile_json_schema(const nlohmann::json& schema);

// Adds the rules of the documents of `sub` (a schema inside `root` at the JSON pointer `path`,
// or `root` itself with path "") to `b` and returns their rule: several schemas in one grammar
// (tool calls). Its $ref rules are named `prefix` + the pointer, so give each root its own
// prefix. Errors as compile_json_schema.
uint32_t add_json_schema(GrammarBuilder& b, const nlohmann::ordered_json& root,
                         const nlohmann::ordered_json& sub, const std::string& path,
                         const std::string& prefix);

// Any JSON object: response_format {"type": "json_object"}.
Grammar json_object_grammar();

}  // namespace qe::grammar
