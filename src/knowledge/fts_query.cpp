#include "knowledge/fts_query.h"

#include <set>
#include <vector>

#include "knowledge/text_tokens.h"

namespace qe::knowledge {

std::string fts_quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string fts_match_expression(std::string_view question) {
    std::vector<std::string> terms;
    std::set<std::string> seen;
    auto add = [&](const std::string& term) {
        if (terms.size() < kMaxQueryTerms && seen.insert(term).second) terms.push_back(term);
    };
    // The pairs of one CJK run overlap: each begins inside the one before it.
    size_t run_begin = 0, run_end = 0, run_pairs = 0;
    auto flush_run = [&] {
        if (run_pairs >= 2) add(fts_quote(question.substr(run_begin, run_end - run_begin)));
        run_pairs = 0;
    };
    tokenize_text(question, TokenMode::kQuery, [&](const TextToken& t) {
        const bool pair = t.kind == TextToken::kCjkPair;
        if (!(pair && run_pairs > 0 && t.begin < run_end)) {
            flush_run();
            run_begin = t.begin;
        }
        // A lone character: the prefix query that finds it in the pairs it begins too.
        add(t.kind == TextToken::kCjkChar ? fts_quote(t.text) + " *" : fts_quote(t.text));
        if (pair) ++run_pairs, run_end = t.end;
    });
    flush_run();
    std::string expression;
    for (const std::string& term : terms) {
        if (!expression.empty()) expression += " OR ";
        expression += term;
    }
    return expression;
}

}  // namespace qe::knowledge
