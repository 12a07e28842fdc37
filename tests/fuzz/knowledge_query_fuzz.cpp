// Any bytes as a user's question to a small knowledge base (knowledge/fts_query.h and the FTS5
// tokenizer under SQLite): the expression is quoted terms (a lone CJK character: a prefix term,
// `"字" *`) joined by OR, and running it never fails, whatever FTS5 syntax the question holds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "knowledge/fts_query.h"
#include "knowledge/knowledge_base.h"

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

qe::knowledge::KnowledgeBase& base() {
    static qe::knowledge::KnowledgeBase kb(":memory:");
    static const bool filled = [] {
        kb.replace_document({"a.md",
                             "h",
                             {{"员工差旅报销流程：填写报销单，附上发票。", {}, {}},
                              {"The Q3 revenue report (NEAR \"x\" OR y*)", {}, {}},
                              {"カタカナ 한국어 Ｑ３ café", {}, {}}}});
        return true;
    }();
    (void)filled;
    return kb;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string question(reinterpret_cast<const char*>(data), size);
    const std::string e = qe::knowledge::fts_match_expression(question);
    check(e.empty() || (e.front() == '"' && (e.back() == '"' || e.ends_with("\" *"))));
    // Throws (and so crashes the fuzzer) if FTS5 rejects the expression.
    const auto hits = base().keyword_search(question, 5);
    check(hits.size() <= 3);
    return 0;
}
