// Copying and rewinding a job's TokenConstraint (what speculative decoding needs): after k tokens,
// a copy rewound by j masks exactly as a fresh constraint fed the first k - j, for every kind of
// constraint the server makes (a JSON schema, a grammar, forced tool calls, with and without a
// thinking prefix), and the original is left alone.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "server/output_format.h"
#include "server/tool_constraint.h"
#include "tokenizer_fixture.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

struct Setup {
    std::vector<int32_t> end_ids;
    grammar::MaskerCache documents{vocabulary_trie(testing::qwen25())};
    grammar::MaskerCache tool_calls{vocabulary_trie(testing::qwen25(), true)};
    Setup() { end_ids = {testing::qwen25().find_added("<|im_end|>")}; }
};

Setup& setup() {
    static Setup s;
    return s;
}

// The constraints under test, made afresh each time; `open_after` >= 0 starts with thinking.
std::shared_ptr<TokenConstraint> make(int kind, int32_t open_after) {
    Setup& s = setup();
    const int budget = 60;
    if (kind == 0) {
        OutputFormat f;
        f.kind = OutputFormat::Kind::kJsonSchema;
        f.schema = json::parse(R"({"type": "object", "properties": {"a": {"type": "string",
            "maxLength": 6}, "n": {"type": "integer"}}, "required": ["a"]})");
        return output_constraint(f, s.documents, s.end_ids, budget, open_after);
    }
    if (kind == 1) {
        OutputFormat f;
        f.kind = OutputFormat::Kind::kGrammar;
        f.grammar = R"(root ::= ("yes" | "no" | [0-9]+) (" " [a-z]{1,8}){0,9})";
        return output_constraint(f, s.documents, s.end_ids, budget, open_after);
    }
    ToolRequest r;
    r.tools = json::parse(R"([{"type": "function", "function": {"name": "lookup", "parameters":
        {"type": "object", "properties": {"q": {"type": "string", "maxLength": 5}},
         "required": ["q"]}}}, {"type": "function", "function": {"name": "ping"}}])");
    r.choice = ToolRequest::Choice::kRequired;
    return tool_call_constraint(r, grammar::ToolCallForm::kJson, s.tool_calls, s.end_ids, budget,
                                open_after);
}

// Which tokens the constraint allows next.
std::vector<bool> allowed(TokenConstraint& c) {
    std::vector<float> logits(size_t(testing::qwen25().size()), 0.0f);
    c.mask(logits);
    std::vector<bool> out(logits.size());
    for (size_t i = 0; i < logits.size(); ++i) out[i] = std::isfinite(logits[i]);
    return out;
}

// A random path of up to `k` allowed tokens (fewer when only an end token is left), preferring
// tokens other than the end ones.
std::vector<int> random_path(int kind, int32_t open_after, size_t k, std::mt19937& rng) {
    auto c = make(kind, open_after);
    std::vector<int> path;
    while (path.size() < k) {
        const std::vector<bool> a = allowed(*c);
        std::vector<int> ids;
        for (size_t i = 0; i < a.size(); ++i)
            if (a[i] && int(i) != setup().end_ids[0]) ids.push_back(int(i));
        if (ids.empty()) break;
        // Thinking allows everything: pick open_after now and then.
        int t = ids[std::uniform_int_distribution<size_t>(0, ids.size() - 1)(rng)];
        if (open_after >= 0 && a[size_t(open_after)] && rng() % 4 == 0) t = open_after;
        EXPECT_TRUE(c->accept(t));
        path.push_back(t);
    }
    return path;
}

TEST(TokenConstraintRewind, ARewoundCopyMasksAsAFreshConstraintFedThePrefix) {
    std::mt19937 rng(7);
    const int32_t think_end = 1000;  // any id may stand for </think>
    for (int kind = 0; kind < 3; ++kind) {
        for (int32_t open_after : {-1, think_end}) {
            for (int round = 0; round < 3; ++round) {
                const std::vector<int> path = random_path(kind, open_after, 12, rng);
                ASSERT_GE(path.size(), 4u) << kind;
                auto c = make(kind, open_after);
                for (int t : path) ASSERT_TRUE(c->accept(t));
                const std::vector<bool> at_end = allowed(*c);
                for (size_t j = 0; j <= path.size(); ++j) {
                    auto copy = c->clone();
                    copy->rewind(j);
                    auto fresh = make(kind, open_after);
                    for (size_t i = 0; i + j < path.size(); ++i)
                        ASSERT_TRUE(fresh->accept(path[i]));
                    EXPECT_EQ(allowed(*copy), allowed(*fresh))
                        << "kind " << kind << " open_after " << open_after << " rewind " << j;
                    // Going forward again from the rewound copy reaches the same end.
                    for (size_t i = path.size() - j; i < path.size(); ++i)
                        ASSERT_TRUE(copy->accept(path[i]));
                    EXPECT_EQ(allowed(*copy), at_end);
                }
                EXPECT_EQ(allowed(*c), at_end);  // the copies left the original alone
            }
        }
    }
}

TEST(TokenConstraintRewind, AnEndTokenCountsAsOneToRewind) {
    auto c = make(1, -1);
    const Tokenizer& t = testing::qwen25();
    for (int id : t.encode("yes ok")) ASSERT_TRUE(c->accept(id));
    const std::vector<bool> before = allowed(*c);
    ASSERT_TRUE(before[size_t(setup().end_ids[0])]);
    ASSERT_TRUE(c->accept(setup().end_ids[0]));
    c->rewind(1);
    EXPECT_EQ(allowed(*c), before);
    // A refused token changes nothing.
    EXPECT_FALSE(c->accept(t.encode("{")[0]));
    EXPECT_EQ(allowed(*c), before);
}

}  // namespace
}  // namespace qe
