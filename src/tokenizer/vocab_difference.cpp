#include "tokenizer/vocab_difference.h"

#include <algorithm>
#include <cstdio>

namespace qe {
namespace {

// A token's bytes for a message: printable ASCII as is, other bytes as \xNN.
std::string quoted(const std::string& bytes) {
    std::string out = "\"";
    for (const unsigned char c : bytes) {
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out += char(c);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        }
    }
    return out + "\"";
}

const char* kind_name(TokenKind k) {
    switch (k) {
        case TokenKind::kNormal:
            return "normal";
        case TokenKind::kControl:
            return "control";
        case TokenKind::kUserDefined:
            return "user-defined";
        case TokenKind::kUnused:
            return "unused";
    }
    return "?";
}

}  // namespace

std::string vocab_difference(const Vocab& a, const Vocab& b, const std::string& a_name,
                             const std::string& b_name) {
    const auto ids = [&](const char* what, int32_t x, int32_t y) {
        return std::string(what) + " is " + std::to_string(x) + " in " + a_name + ", " +
               std::to_string(y) + " in " + b_name;
    };
    if (a.split != b.split) return "the pre-tokenizers differ";
    if (a.add_bos != b.add_bos) return "one adds a bos token, the other does not";
    if (a.bos_id != b.bos_id) return ids("the bos id", a.bos_id, b.bos_id);
    if (a.eos_id != b.eos_id) return ids("the eos id", a.eos_id, b.eos_id);
    if (a.pad_id != b.pad_id) return ids("the padding id", a.pad_id, b.pad_id);

    const int32_t common = std::min(a.size(), b.size());
    for (int32_t id = 0; id < common; ++id) {
        const size_t i = size_t(id);
        // Padding rows have no text: their placeholder names need not agree.
        if (a.kinds[i] == TokenKind::kUnused && b.kinds[i] == TokenKind::kUnused) continue;
        if (a.tokens[i] != b.tokens[i])
            return "token " + std::to_string(id) + " is " + quoted(a.tokens[i]) + " in " + a_name +
                   ", " + quoted(b.tokens[i]) + " in " + b_name;
        if (a.kinds[i] != b.kinds[i])
            return "token " + std::to_string(id) + " " + quoted(a.tokens[i]) + " is " +
                   kind_name(a.kinds[i]) + " in " + a_name + ", " + kind_name(b.kinds[i]) + " in " +
                   b_name;
    }
    // Beyond the shorter vocabulary, the longer one may only pad.
    const Vocab& longer = a.size() > b.size() ? a : b;
    for (int32_t id = common; id < longer.size(); ++id) {
        if (longer.kinds[size_t(id)] == TokenKind::kUnused) continue;
        const bool in_a = &longer == &a;
        return "token " + std::to_string(id) + " " + quoted(longer.tokens[size_t(id)]) + " is in " +
               (in_a ? a_name : b_name) + " only (" + (in_a ? b_name : a_name) + " has " +
               std::to_string(common) + " tokens)";
    }

    if (a.merges.size() != b.merges.size())
        return "the merges differ: " + std::to_string(a.merges.size()) + " rules in " + a_name +
               ", " + std::to_string(b.merges.size()) + " in " + b_name;
    for (size_t r = 0; r < a.merges.size(); ++r) {
        if (a.merges[r] == b.merges[r]) continue;
        return "merge rule " + std::to_string(r) + " is " + quoted(a.merges[r].first) + " + " +
               quoted(a.merges[r].second) + " in " + a_name + ", " + quoted(b.merges[r].first) +
               " + " + quoted(b.merges[r].second) + " in " + b_name;
    }
    return {};
}

}  // namespace qe
