#include "tokenizer/unicode_class.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <string>

#include "tokenizer/nfc.h"
#include "tokenizer/unicode_tables.h"

namespace qe::unicode {

namespace {

constexpr char32_t kEnd = 0x110000;

bool is_surrogate(char32_t cp) {
    return cp >= 0xD800 && cp <= 0xDFFF;
}

// Canonical decomposition as utf8proc has it (a single code point when there is none).
std::u32string decomposition(char32_t cp) {
    utf8proc_int32_t buf[8];
    int boundclass = 0;
    const utf8proc_ssize_t n =
        utf8proc_decompose_char(utf8proc_int32_t(cp), buf, 8, UTF8PROC_DECOMPOSE, &boundclass);
    if (n <= 0 || n > 8) return std::u32string(1, cp);
    return std::u32string(buf, buf + n);
}

bool is_hangul_syllable(char32_t cp) {
    return cp >= 0xAC00 && cp <= 0xD7A3;
}

// Characters that can be the second half of a canonical composition: the last code point of
// every multi-character canonical decomposition (Hangul syllables included, so the medial and
// final jamo are covered).
std::vector<bool> second_halves() {
    std::vector<bool> second(kEnd, false);
    for (char32_t cp = 0xC0; cp < kEnd; ++cp) {
        if (is_surrogate(cp)) continue;
        const auto* p = utf8proc_get_property(utf8proc_int32_t(cp));
        if (p->decomp_seqindex == UINT16_MAX && !is_hangul_syllable(cp)) continue;
        if (!assigned_in_unicode9(cp)) continue;
        const std::u32string d = decomposition(cp);
        if (d.size() >= 2) second[d.back()] = true;
    }
    return second;
}

uint8_t split_class(char32_t cp, const utf8proc_property_t* p) {
    switch (p->category) {
        case UTF8PROC_CATEGORY_LU:
        case UTF8PROC_CATEGORY_LL:
        case UTF8PROC_CATEGORY_LT:
        case UTF8PROC_CATEGORY_LM:
        case UTF8PROC_CATEGORY_LO:
            return kLetter;
        case UTF8PROC_CATEGORY_ND:
        case UTF8PROC_CATEGORY_NL:
        case UTF8PROC_CATEGORY_NO:
            return kNumber;
        case UTF8PROC_CATEGORY_ZS:
        case UTF8PROC_CATEGORY_ZL:
        case UTF8PROC_CATEGORY_ZP:
            return kSpace;
        case UTF8PROC_CATEGORY_MN:
        case UTF8PROC_CATEGORY_MC:
        case UTF8PROC_CATEGORY_ME:
            return kMark;
        case UTF8PROC_CATEGORY_CN: {
            const CategoryRange* end = kUnicode16Additions + kUnicode16AdditionsSize;
            const CategoryRange* r = std::upper_bound(
                kUnicode16Additions, end, cp,
                [](char32_t c, const CategoryRange& range) { return c < range.first; });
            if (r == kUnicode16Additions || cp > (r - 1)->last) return 0;
            return (r - 1)->letter ? kLetter : kNumber;
        }
        default:
            return (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 ? kSpace : 0;
    }
}

bool nfc_active(char32_t cp, const utf8proc_property_t* p, const std::vector<bool>& second) {
    if (cp < 0xC0) return false;  // nothing below U+00C0 takes part in normalization
    const bool has_decomposition = p->decomp_seqindex != UINT16_MAX;
    if (p->combining_class == 0 && !second[cp] && !has_decomposition) return false;
    if (!assigned_in_unicode9(cp)) return false;  // unknown to the reference: left alone
    if (p->combining_class != 0 || second[cp]) return true;
    // Decomposes: inert only when NFC puts it back together (é), not for singletons (Å -> Å)
    // and composition exclusions.
    std::u32string out;
    nfc_code_points(std::u32string(1, cp), out);
    return out != std::u32string(1, cp);
}

}  // namespace

CharTable::CharTable() {
    const std::vector<bool> second = second_halves();
    std::map<std::array<uint8_t, 256>, uint16_t> seen;
    std::array<uint8_t, 256> block{};
    for (char32_t base = 0; base < kEnd; base += 256) {
        for (char32_t i = 0; i < 256; ++i) {
            const char32_t cp = base + i;
            if (is_surrogate(cp)) {
                block[i] = 0;
                continue;
            }
            const auto* p = utf8proc_get_property(utf8proc_int32_t(cp));
            block[i] = split_class(cp, p) | (nfc_active(cp, p, second) ? kNfcActive : 0);
        }
        auto [it, inserted] = seen.emplace(block, uint16_t(seen.size()));
        if (inserted) blocks_.insert(blocks_.end(), block.begin(), block.end());
        stage1_[base >> 8] = it->second;
    }
    std::memcpy(ascii_, blocks_.data() + size_t(stage1_[0]) * 256, sizeof(ascii_));
}

const CharTable& char_table() {
    static const CharTable table;
    return table;
}

}  // namespace qe::unicode
