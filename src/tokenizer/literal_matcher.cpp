#include "tokenizer/literal_matcher.h"

#include <algorithm>
#include <cstring>

namespace qe {

LiteralMatcher::LiteralMatcher(std::vector<Literal> literals) : literals_(std::move(literals)) {
    std::erase_if(literals_, [](const Literal& l) { return l.text.empty(); });
    std::stable_sort(literals_.begin(), literals_.end(), [](const Literal& a, const Literal& b) {
        return a.text.size() > b.text.size();
    });
    int distinct = 0;
    for (const Literal& l : literals_) {
        const unsigned char first = static_cast<unsigned char>(l.text[0]);
        if (!starts_[first]) ++distinct;
        starts_[first] = true;
        single_start_ = first;
    }
    if (distinct != 1) single_start_ = -1;
}

LiteralMatcher::Match LiteralMatcher::find(std::string_view text, size_t from) const {
    const size_t n = text.size();
    for (size_t pos = from; pos < n; ++pos) {
        if (single_start_ >= 0) {  // usually every literal starts with '<': jump with memchr
            const void* hit = std::memchr(text.data() + pos, single_start_, n - pos);
            if (!hit) break;
            pos = size_t(static_cast<const char*>(hit) - text.data());
        } else if (!starts_[static_cast<unsigned char>(text[pos])]) {
            continue;
        }
        for (const Literal& l : literals_) {  // longest first
            if (l.text.size() <= n - pos &&
                std::memcmp(text.data() + pos, l.text.data(), l.text.size()) == 0) {
                return {pos, l.text.size(), l.id};
            }
        }
    }
    return {std::string_view::npos, 0, -1};
}

}  // namespace qe
