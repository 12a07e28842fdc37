// The JSON-schema compiler: each keyword's documents are accepted and its violations refused,
// and every unsupported or invalid schema is an error naming what and where.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "grammar/json_schema.h"
#include "grammar_test_util.h"

namespace {

using nlohmann::json;
using qe::testing::matches;
using qe::testing::prefix;

std::shared_ptr<const qe::grammar::Grammar> compile(const std::string& schema) {
    return std::make_shared<const qe::grammar::Grammar>(
        qe::grammar::compile_json_schema(json::parse(schema)));
}

std::string error_of(const std::string& schema) {
    try {
        qe::grammar::compile_json_schema(json::parse(schema));
    } catch (const qe::Error& e) {
        return e.what();
    }
    return "";
}

TEST(JsonSchema, ObjectPropertiesRequiredAndOptional) {
    const auto g = compile(R"({"type": "object", "properties": {
        "a": {"type": "integer"}, "b": {"type": "string"}, "c": {"type": "boolean"}},
        "required": ["b"], "additionalProperties": false})");
    EXPECT_TRUE(matches(g, R"({"b":"x"})"));
    EXPECT_TRUE(matches(g, R"({"a":1,"b":"x","c":true})"));
    EXPECT_TRUE(matches(g, "{\n  \"a\": -5,\n  \"b\": \"\"\n}"));
    EXPECT_TRUE(matches(g, R"({"b":"x", "c":false})"));
    EXPECT_FALSE(matches(g, R"({"a":1})"));          // b is required
    EXPECT_FALSE(matches(g, R"({"b":"x","d":1})"));  // no other property
    EXPECT_FALSE(matches(g, R"({"b":"x",})"));
    EXPECT_FALSE(matches(g, R"({"a":1.5,"b":"x"})"));
}

TEST(JsonSchema, MapsAndAnyObject) {
    const auto map = compile(R"({"type": "object", "additionalProperties": {"type": "number"}})");
    EXPECT_TRUE(matches(map, R"({"x": 1.5, "y": -2e3})"));
    EXPECT_FALSE(matches(map, R"({"x": "1"})"));
    const auto any = compile(R"({"type": "object"})");
    EXPECT_TRUE(matches(any, R"({"x": [1, {"y": null}], "z": "\u00e9\n"})"));
    EXPECT_FALSE(matches(any, R"([1])"));
    const auto none = compile(R"({"type": "object", "additionalProperties": false})");
    EXPECT_TRUE(matches(none, "{}"));
    EXPECT_FALSE(matches(none, R"({"a":1})"));
}

TEST(JsonSchema, ArraysWithCounts) {
    const auto g =
        compile(R"({"type": "array", "items": {"type": "null"}, "minItems": 1, "maxItems": 3})");
    EXPECT_FALSE(matches(g, "[]"));
    EXPECT_TRUE(matches(g, "[null]"));
    EXPECT_TRUE(matches(g, "[null, null,null]"));
    EXPECT_FALSE(matches(g, "[null,null,null,null]"));
    EXPECT_TRUE(matches(compile(R"({"type": "array"})"), R"([1, "a", [true]])"));
    EXPECT_TRUE(matches(compile(R"({"type": "array", "maxItems": 0})"), "[]"));
    EXPECT_FALSE(matches(compile(R"({"type": "array", "maxItems": 0})"), "[1]"));
}

TEST(JsonSchema, StringsLengthsAndEscapes) {
    const auto g = compile(R"({"type": "string", "minLength": 2, "maxLength": 3})");
    EXPECT_FALSE(matches(g, R"("a")"));
    EXPECT_TRUE(matches(g, R"("ab")"));
    EXPECT_TRUE(matches(g, R"("a\né")"));  // an escape and a 2-byte character count once
    EXPECT_FALSE(matches(g, R"("abcd")"));
    const auto any = compile(R"({"type": "string"})");
    EXPECT_TRUE(matches(any, R"("\"\\\/\b\f\n\r\t\u00e9")"));
    EXPECT_FALSE(prefix(any, R"("\ud8)"));    // no lone surrogate escapes
    EXPECT_FALSE(prefix(any, "\"\x01"));      // no raw control characters
    EXPECT_FALSE(prefix(any, "\"\xC3\x28"));  // no ill-formed UTF-8
}

TEST(JsonSchema, Formats) {
    const auto date = compile(R"({"type": "string", "format": "date"})");
    EXPECT_TRUE(matches(date, R"("2024-02-28")"));
    EXPECT_FALSE(matches(date, R"("2024-02-30")"));
    EXPECT_FALSE(matches(date, R"("2024-13-01")"));
    EXPECT_FALSE(matches(date, R"("0000-04-04")"));  // found through the server: no year 0
    const auto dt = compile(R"({"type": "string", "format": "date-time"})");
    EXPECT_TRUE(matches(dt, R"("2024-01-31T23:59:59Z")"));
    EXPECT_TRUE(matches(dt, R"("2024-01-31T00:00:00.123+05:30")"));
    EXPECT_FALSE(matches(dt, R"("2024-01-31T24:00:00Z")"));
    const auto uuid = compile(R"({"type": "string", "format": "uuid"})");
    EXPECT_TRUE(matches(uuid, R"("123e4567-e89b-12d3-a456-426614174000")"));
    EXPECT_FALSE(matches(uuid, R"("123e4567e89b12d3a456426614174000")"));
    const auto email = compile(R"({"type": "string", "format": "email"})");
    EXPECT_TRUE(matches(email, R"("a.b+c@example.co.uk")"));
    EXPECT_FALSE(matches(email, R"("a@b")"));
}

TEST(JsonSchema, IntegerRanges) {
    const auto g = compile(R"({"type": "integer", "minimum": -12, "maximum": 305})");
    for (int v = -30; v <= 400; ++v) {
        EXPECT_EQ(matches(g, std::to_string(v)), v >= -12 && v <= 305) << v;
    }
    EXPECT_FALSE(matches(g, "007"));
    EXPECT_FALSE(matches(g, "-0"));
    const auto ex = compile(R"({"type": "integer", "exclusiveMinimum": 5, "exclusiveMaximum": 9})");
    EXPECT_FALSE(matches(ex, "5"));
    EXPECT_TRUE(matches(ex, "6"));
    EXPECT_TRUE(matches(ex, "8"));
    EXPECT_FALSE(matches(ex, "9"));
    EXPECT_TRUE(matches(compile(R"({"type": "integer"})"), "-1234567890123456"));
    EXPECT_FALSE(matches(compile(R"({"type": "integer"})"), "12345678901234567"));
}

TEST(JsonSchema, NumbersWithAndWithoutBounds) {
    const auto any = compile(R"({"type": "number"})");
    EXPECT_TRUE(matches(any, "-0.5e+10"));
    EXPECT_TRUE(matches(any, "3"));
    EXPECT_TRUE(matches(any, "-0"));
    EXPECT_FALSE(matches(any, ".5"));
    EXPECT_FALSE(matches(any, "1."));
    const auto g = compile(R"({"type": "number", "minimum": 0.5, "maximum": 2.5})");
    EXPECT_TRUE(matches(g, "1"));
    EXPECT_TRUE(matches(g, "2"));
    EXPECT_TRUE(matches(g, "1.75"));
    EXPECT_FALSE(matches(g, "0"));
    EXPECT_FALSE(matches(g, "2.75"));
    EXPECT_FALSE(matches(g, "3"));
}

TEST(JsonSchema, EnumConstBooleanNull) {
    const auto e = compile(R"({"enum": ["red", "gré\"en", 3, null, {"a": [1]}]})");
    EXPECT_TRUE(matches(e, R"("red")"));
    EXPECT_TRUE(matches(e, R"("gré\"en")"));
    EXPECT_TRUE(matches(e, "3"));
    EXPECT_TRUE(matches(e, "null"));
    EXPECT_TRUE(matches(e, R"({"a":[1]})"));
    EXPECT_FALSE(matches(e, R"("blue")"));
    EXPECT_TRUE(matches(compile(R"({"const": "x"})"), R"("x")"));
    EXPECT_TRUE(matches(compile(R"({"type": "boolean"})"), "false"));
    EXPECT_TRUE(matches(compile(R"({"type": "null"})"), "null"));
}

TEST(JsonSchema, AnyOfOneOfAndTypeLists) {
    const auto g = compile(R"({"anyOf": [{"type": "integer"}, {"type": "string"}]})");
    EXPECT_TRUE(matches(g, "1"));
    EXPECT_TRUE(matches(g, R"("1")"));
    EXPECT_FALSE(matches(g, "true"));
    const auto one = compile(R"({"oneOf": [{"type": "null"}, {"type": "boolean"}]})");
    EXPECT_TRUE(matches(one, "null"));
    const auto nullable = compile(R"({"type": ["string", "null"], "maxLength": 1})");
    EXPECT_TRUE(matches(nullable, "null"));
    EXPECT_TRUE(matches(nullable, R"("a")"));
    EXPECT_FALSE(matches(nullable, R"("ab")"));
    EXPECT_TRUE(matches(compile(R"({"type": "integer", "nullable": true})"), "null"));
}

TEST(JsonSchema, LocalReferencesAndRecursion) {
    const auto g = compile(R"({"$defs": {"node": {"type": "object", "properties": {
        "v": {"type": "integer"}, "next": {"anyOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]}},
        "required": ["v", "next"]}}, "$ref": "#/$defs/node"})");
    EXPECT_TRUE(matches(g, R"({"next":null,"v":1})"));
    EXPECT_TRUE(matches(g, R"({"next":{"next":{"next":null,"v":3},"v":2},"v":1})"));
    EXPECT_FALSE(matches(g, R"({"next":{"v":2},"v":1})"));
    const auto root = compile(R"({"type": "array", "items": {"$ref": "#"}, "maxItems": 2})");
    EXPECT_TRUE(matches(root, "[[],[[]]]"));
}

TEST(JsonSchema, AnnotationsAreAllowed) {
    EXPECT_TRUE(matches(compile(R"({"type": "integer", "title": "t", "description": "d",
        "default": 1, "examples": [2], "$schema": "x", "$comment": "c"})"),
                        "7"));
    EXPECT_TRUE(matches(compile("true"), "[1]"));
    EXPECT_TRUE(matches(compile("{}"), "{}"));
}

TEST(JsonSchema, UnsupportedKeywordsAreNamedWithTheirPlace) {
    EXPECT_EQ(error_of(R"({"type": "string", "pattern": "a+"})"),
              "json_schema: unsupported keyword 'pattern' at /");
    EXPECT_EQ(error_of(R"({"type": "object", "properties": {"a/b": {"allOf": []}}})"),
              "json_schema: unsupported keyword 'allOf' at /properties/a~1b");
    EXPECT_EQ(error_of(R"({"type": "array", "items": {"not": {}}})"),
              "json_schema: unsupported keyword 'not' at /items");
    EXPECT_EQ(error_of(R"({"type": "string", "format": "hostname"})"),
              "json_schema: unsupported format 'hostname' at /format");
    EXPECT_EQ(error_of(R"({"anyOf": [{"type": "null"}], "type": "null"})"),
              "json_schema: keywords beside 'anyOf' are not supported at /");
}

TEST(JsonSchema, InvalidSchemasAreErrors) {
    EXPECT_EQ(error_of(R"({"type": "strng"})"), "json_schema: unknown type 'strng' at /type");
    EXPECT_EQ(error_of(R"({"type": "object", "properties": {}, "required": ["x"]})"),
              "json_schema: required property 'x' has no schema in properties at /required");
    EXPECT_EQ(error_of(R"({"type": "array", "minItems": 3, "maxItems": 2})"),
              "json_schema: maxItems below minItems at /");
    EXPECT_EQ(error_of(R"({"type": "string", "maxLength": -1})"),
              "json_schema: maxLength must be a non-negative integer at /maxLength");
    EXPECT_EQ(error_of(R"({"type": "integer", "minimum": 3, "maximum": 2})"),
              "json_schema: no integer in the range at /");
    EXPECT_EQ(error_of(R"({"$ref": "#/$defs/missing"})"),
              "json_schema: $ref '#/$defs/missing' does not resolve at /$ref");
    EXPECT_EQ(error_of(R"({"$ref": "http://x/y"})"),
              "json_schema: only local $ref ('#/...') is supported: 'http://x/y' at /$ref");
    EXPECT_EQ(error_of("false"), "json_schema: schema false matches nothing at /");
    EXPECT_EQ(error_of("[1]"), "json_schema: a schema must be an object or a boolean at /");
    EXPECT_EQ(error_of(R"({"type": "integer", "nullable": "yes"})").rfind("json_schema: ", 0), 0u);
}

TEST(JsonSchema, ReferenceLoopsAreErrors) {
    EXPECT_EQ(error_of(R"({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
                          "$ref": "#/$defs/a"})"),
              "json_schema: rule '#/$defs/a' can never finish (every alternative needs itself "
              "again)");
    EXPECT_NE(error_of(R"({"$defs": {"a": {"anyOf": [{"$ref": "#/$defs/a"}, {"type": "null"}]}},
                          "$ref": "#/$defs/a"})")
                  .find("is left-recursive"),
              std::string::npos);
    EXPECT_EQ(error_of(R"({"type": "object", "properties": {"a": {"$ref": "#"}},
                          "required": ["a"]})"),
              "json_schema: rule '#' can never finish (every alternative needs itself again)");
}

TEST(JsonSchema, LimitsAreErrors) {
    std::string deep = R"({"type": "integer"})";
    for (int i = 0; i < 80; ++i) deep = R"({"type": "array", "items": )" + deep + "}";
    EXPECT_NE(error_of(deep).find("nested deeper than 64"), std::string::npos);
    EXPECT_NE(error_of(R"({"type": "string", "maxLength": 100000})").find("larger than 10000"),
              std::string::npos);
    json wide = {{"enum", json::array()}};
    for (int i = 0; i < 60000; ++i) wide["enum"].push_back("value number " + std::to_string(i));
    EXPECT_NE(error_of(wide.dump()).find("larger than"), std::string::npos);
}

TEST(JsonSchema, AnyObjectGrammar) {
    const auto g = std::make_shared<const qe::grammar::Grammar>(qe::grammar::json_object_grammar());
    EXPECT_TRUE(matches(g, R"({"a": {"b": [1, 2.5, "x", true, null]}})"));
    EXPECT_FALSE(matches(g, "[]"));
    EXPECT_FALSE(matches(g, R"({"a" 1})"));
}

}  // namespace
