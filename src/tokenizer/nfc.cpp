#include "tokenizer/nfc.h"

#include <utf8proc.h>

#include <algorithm>

#include "core/utf8.h"
#include "tokenizer/unicode_class.h"
#include "tokenizer/unicode_tables.h"

namespace qe::unicode {

namespace {

constexpr char32_t kHangulFirst = 0xAC00, kHangulCount = 11172, kHangulTCount = 28;
constexpr char32_t kJamoL = 0x1100, kJamoV = 0x1161, kJamoT = 0x11A7;  // T index 0 = no T

// Canonical decomposition of one character (Unicode 9.0 view), appended to out.
void decompose(char32_t cp, std::u32string& out) {
    if (cp < 0xC0 || !assigned_in_unicode9(cp)) {  // nothing below U+00C0 decomposes
        out.push_back(cp);
        return;
    }
    utf8proc_int32_t buf[8];
    int boundclass = 0;
    const utf8proc_ssize_t n =
        utf8proc_decompose_char(utf8proc_int32_t(cp), buf, 8, UTF8PROC_DECOMPOSE, &boundclass);
    if (n <= 0 || n > 8) {  // cannot happen for a scalar value; keep the character
        out.push_back(cp);
        return;
    }
    for (utf8proc_ssize_t i = 0; i < n; ++i) out.push_back(char32_t(buf[i]));
}

// The primary composite of a starter and a following character, or 0.
char32_t compose(char32_t starter, char32_t next) {
    if (next >= kJamoV && next < kJamoV + 21 && starter >= kJamoL && starter < kJamoL + 19) {
        return kHangulFirst + ((starter - kJamoL) * 21 + (next - kJamoV)) * kHangulTCount;
    }
    if (next > kJamoT && next < kJamoT + kHangulTCount && starter >= kHangulFirst &&
        starter < kHangulFirst + kHangulCount && (starter - kHangulFirst) % kHangulTCount == 0) {
        return starter + (next - kJamoT);
    }
    if (!assigned_in_unicode9(starter) || !assigned_in_unicode9(next)) return 0;
    utf8proc_int32_t pair[2] = {utf8proc_int32_t(starter), utf8proc_int32_t(next)};
    const utf8proc_ssize_t n =
        utf8proc_normalize_utf32(pair, 2, utf8proc_option_t(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
    if (n != 1 || !assigned_in_unicode9(char32_t(pair[0]))) return 0;
    return char32_t(pair[0]);
}

}  // namespace

int combining_class(char32_t cp) {
    if (cp < 0x300 || cp >= 0x110000) return 0;
    const int ccc = utf8proc_get_property(utf8proc_int32_t(cp))->combining_class;
    return ccc != 0 && assigned_in_unicode9(cp) ? ccc : 0;
}

void nfc_code_points(std::u32string_view in, std::u32string& out) {
    std::u32string d;
    d.reserve(in.size() + 8);
    for (char32_t cp : in) decompose(cp, d);

    // Canonical ordering: every run of non-starters sorted by combining class, stably.
    for (size_t i = 0; i < d.size();) {
        if (combining_class(d[i]) == 0) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < d.size() && combining_class(d[j]) != 0) ++j;
        std::stable_sort(d.begin() + i, d.begin() + j, [](char32_t a, char32_t b) {
            return combining_class(a) < combining_class(b);
        });
        i = j;
    }

    // Canonical composition: a character joins the last starter unless something between them
    // blocks it (a starter, or a mark of equal or higher class; after ordering, the last one has
    // the highest class).
    out.clear();
    size_t starter = std::u32string::npos;
    int last_ccc = -1;  // class of the last character kept since the starter; -1: none
    for (char32_t c : d) {
        const int ccc = combining_class(c);
        if (starter != std::u32string::npos && (last_ccc == -1 || last_ccc < ccc)) {
            if (const char32_t composite = compose(out[starter], c)) {
                out[starter] = composite;
                continue;
            }
        }
        if (ccc == 0) {
            starter = out.size();
            last_ccc = -1;
        } else {
            last_ccc = ccc;
        }
        out.push_back(c);
    }
}

std::string_view nfc(std::string_view text, std::string& scratch) {
    const CharTable& table = char_table();
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = text.size();

    // Reads the character at i: its length, and whether NFC can touch it. Bytes that are not
    // UTF-8 (callers validate first) count as inert single bytes.
    auto at = [&](size_t i, char32_t& cp, bool& active) -> size_t {
        if (s[i] < 0x80) {
            cp = s[i];
            active = false;
            return 1;
        }
        const utf8::Sequence seq = utf8::examine(s + i, n - i);
        if (seq.kind != utf8::Sequence::kComplete) {
            cp = 0xFFFD;
            active = false;
            return seq.length;
        }
        cp = seq.cp;
        active = (table(cp) & kNfcActive) != 0;
        return seq.length;
    };

    // Quick check: find the first active character, remembering where the inert character
    // before it starts (it may compose with what follows).
    size_t i = 0, last_inert = 0;
    char32_t cp;
    bool active = false;
    while (i < n) {
        const size_t len = at(i, cp, active);
        if (active) break;
        last_inert = i;
        i += len;
    }
    if (i >= n) return text;

    // Text splits into independent segments, each an inert character (or the text's start)
    // followed by active characters; only segments with active characters need the algorithm.
    scratch.clear();
    scratch.append(text.data(), last_inert);
    std::u32string in, out;
    size_t pos = last_inert;
    while (pos < n) {
        size_t end = pos + at(pos, cp, active);
        bool any_active = active;
        in.assign(1, cp);
        while (end < n) {
            const size_t len = at(end, cp, active);
            if (!active) break;
            any_active = true;
            in.push_back(cp);
            end += len;
        }
        if (!any_active) {
            scratch.append(text.data() + pos, end - pos);
        } else {
            nfc_code_points(in, out);
            for (char32_t c : out) utf8::append(scratch, c);
        }
        pos = end;
    }
    return scratch;
}

}  // namespace qe::unicode
