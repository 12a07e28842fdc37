// Property: under random schemas, random walks over the allowed tokens (random budgets, random
// stops once the document is whole) always produce a document that parses and validates. The
// validation is independent: tests/grammar/validate.py (the jsonschema package) reads every
// schema and document. QE_GRAMMAR_PROPERTY_SCHEMAS sets how many schemas (a long run by hand:
// 2000); the suite runs a few dozen.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <random>

#include "grammar/document_constraint.h"
#include "grammar/json_schema.h"
#include "grammar_test_util.h"
#include "grammar_vocab.h"

namespace {

using nlohmann::json;
using qe::grammar::DocumentConstraint;
using qe::grammar::has_token;
using qe::grammar::TokenBits;
using qe::grammar::TokenMasker;

class SchemaMaker {
  public:
    explicit SchemaMaker(uint32_t seed) : rng_(seed) {}

    json make() {
        json s = make_one(0);
        if (pick(3) == 0) {
            // A definition used by reference, sometimes recursively through an optional
            // property.
            json def = {{"type", "object"},
                        {"properties", {{"v", make_one(2)}, {"next", {{"$ref", "#/$defs/d"}}}}},
                        {"required", {"v"}},
                        {"additionalProperties", false}};
            s = {{"$defs", {{"d", def}}},
                 {"type", "object"},
                 {"properties", {{"d", {{"$ref", "#/$defs/d"}}}, {"other", s}}},
                 {"required", json::array({"d"})}};
        }
        return s;
    }

  private:
    int pick(int n) { return int(rng_() % uint32_t(n)); }

    json make_one(int depth) {
        switch (pick(depth < 3 ? 12 : 9)) {
            case 0: {
                json s = {{"type", "string"}};
                if (pick(2)) s["minLength"] = pick(4);
                if (pick(2)) s["maxLength"] = s.value("minLength", 0) + pick(6);
                return s;
            }
            case 1: {
                static const char* formats[] = {"date", "date-time", "uuid", "email", "time"};
                return {{"type", "string"}, {"format", formats[pick(5)]}};
            }
            case 2: {
                json s = {{"type", "integer"}};
                if (pick(2)) s["minimum"] = pick(200) - 100;
                if (pick(2)) s["maximum"] = s.value("minimum", -100) + pick(300);
                if (pick(4) == 0) s["exclusiveMaximum"] = s.value("maximum", 500) + 1;
                return s;
            }
            case 3: {
                json s = {{"type", "number"}};
                if (pick(2)) s["minimum"] = (pick(200) - 100) / 4.0;
                if (pick(2)) s["maximum"] = s.value("minimum", -30.0) + pick(100) / 3.0;
                return s;
            }
            case 4:
                return {{"type", pick(2) ? "boolean" : "null"}};
            case 5: {
                json values = json::array();
                for (int i = 0, n = 1 + pick(6); i < n; ++i) {
                    switch (pick(4)) {
                        case 0:
                            values.push_back("v" + std::to_string(pick(1000)) + " é\"");
                            break;
                        case 1:
                            values.push_back(pick(1000) - 500);
                            break;
                        case 2:
                            values.push_back(nullptr);
                            break;
                        default:
                            values.push_back({{"k", pick(9)}});
                    }
                }
                return {{"enum", values}};
            }
            case 6:
                return {{"const", pick(2) ? json("fixed") : json(pick(50))}};
            case 7: {
                // Disjoint branches, so that oneOf holds too.
                return {{pick(2) ? "anyOf" : "oneOf",
                         {{{"type", "integer"}},
                          {{"type", "string"}, {"maxLength", 8}},
                          {{"type", "null"}}}}};
            }
            case 8:
                return {{"type", {"string", "null"}}, {"maxLength", 3 + pick(5)}};
            case 9:
            case 10: {
                json props = json::object();
                json required = json::array();
                for (int i = 0, n = 1 + pick(4); i < n; ++i) {
                    const std::string name = "p" + std::to_string(i) + (pick(3) ? "" : " ü");
                    props[name] = make_one(depth + 1);
                    if (pick(2)) required.push_back(name);
                }
                json s = {{"type", "object"}, {"properties", props}, {"required", required}};
                if (pick(2)) s["additionalProperties"] = false;
                return s;
            }
            default: {
                json s = {{"type", "array"}, {"items", make_one(depth + 1)}};
                if (pick(2)) s["minItems"] = pick(3);
                if (pick(2)) s["maxItems"] = s.value("minItems", 0) + pick(4);
                return s;
            }
        }
    }

    std::mt19937 rng_;
};

std::string random_document(DocumentConstraint& c, std::mt19937& rng) {
    const auto& trie = qe::testing::qwen25_trie();
    const int32_t end = qe::testing::qwen25_end_ids()[0];
    std::string text;
    while (c.remaining() > 0) {
        const TokenBits& bits = c.allowed();
        if (has_token(bits, end) && rng() % 3 == 0) break;
        std::vector<int32_t> ids = qe::testing::allowed_ids(bits);
        ids.erase(std::remove(ids.begin(), ids.end(), end), ids.end());
        if (ids.empty()) break;
        // Short tokens half of the time: long runs of one-byte tokens reach deep states.
        int32_t pick = ids[rng() % ids.size()];
        if (rng() % 2) {
            for (int tries = 0; tries < 8 && trie->token_bytes(pick).size() > 2; ++tries) {
                pick = ids[rng() % ids.size()];
            }
        }
        EXPECT_TRUE(c.accept(pick));
        text += trie->token_bytes(pick);
    }
    return text;
}

TEST(JsonSchemaProperty, RandomWalksUnderRandomSchemasValidate) {
    const char* env = std::getenv("QE_GRAMMAR_PROPERTY_SCHEMAS");
    const int schemas = env ? std::atoi(env) : 40;
    const std::string out_path = std::string(QE_TEST_TMP_DIR) + "/grammar_property.jsonl";
    std::ofstream out(out_path);
    std::mt19937 rng(2024);
    int documents = 0;
    for (int i = 0; i < schemas; ++i) {
        const json schema = SchemaMaker(uint32_t(i)).make();
        SCOPED_TRACE(schema.dump());
        const auto g =
            std::make_shared<const qe::grammar::Grammar>(qe::grammar::compile_json_schema(schema));
        auto masker = std::make_shared<TokenMasker>(g, qe::testing::qwen25_trie());
        const uint32_t least = qe::grammar::Matcher(g).distance();
        for (int walk = 0; walk < 3; ++walk) {
            const uint32_t budget = least + uint32_t(rng() % 60);
            DocumentConstraint c(masker, qe::testing::qwen25_end_ids(), budget);
            const std::string text = random_document(c, rng);
            ASSERT_TRUE(c.complete()) << text;
            ASSERT_TRUE(qe::testing::matches(g, text)) << text;
            ASSERT_NO_THROW((void)json::parse(text)) << text;
            out << json{{"schema", schema}, {"document", text}}.dump() << "\n";
            ++documents;
        }
    }
    out.close();
    const std::string command = "python3 " + std::string(QE_SOURCE_DIR) +
                                "/tests/grammar/validate.py " + out_path + " > " + out_path +
                                ".log 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream log(out_path + ".log");
    const std::string report((std::istreambuf_iterator<char>(log)), {});
    EXPECT_EQ(status, 0) << report;
    EXPECT_NE(report.find(std::to_string(documents) + " passed, 0 failed"), std::string::npos)
        << report;
}

}  // namespace
