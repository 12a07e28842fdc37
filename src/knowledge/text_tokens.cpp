#include "knowledge/text_tokens.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

#include "core/utf8.h"

namespace qe::knowledge {
namespace {

enum class CharClass { kSeparator, kWord, kCjk, kIgnorable };

// Han (with its extensions and compatibility forms), kana and the ideographic marks 々〆〇.
bool is_cjk(char32_t cp) {
    return (cp >= 0x3005 && cp <= 0x3007) || (cp >= 0x3040 && cp <= 0x30FF) ||
           (cp >= 0x31F0 && cp <= 0x31FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFF66 && cp <= 0xFF9F) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

// Characters whose NFKC form is themselves, so their folding can skip utf8proc.
bool folds_to_itself(char32_t cp) {
    return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF);
}

constexpr int kFoldOptions =
    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;

// Classified by what the character folds to: "Ｑ" is a letter, "㊀" (circled one) is Han.
CharClass classify(char32_t cp) {
    if (cp < 0x80) {
        const bool alnum =
            (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
        return alnum ? CharClass::kWord : CharClass::kSeparator;
    }
    if (is_cjk(cp)) return CharClass::kCjk;
    utf8proc_int32_t mapped[8];
    int last_boundclass = 0;
    const utf8proc_ssize_t n = utf8proc_decompose_char(
        utf8proc_int32_t(cp), mapped, 8,
        utf8proc_option_t(UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE), &last_boundclass);
    if (n == 0) return CharClass::kIgnorable;
    if (n < 0) return CharClass::kSeparator;
    const char32_t first = char32_t(mapped[0]);
    if (is_cjk(first)) return CharClass::kCjk;
    switch (utf8proc_category(mapped[0])) {
        case UTF8PROC_CATEGORY_LU:
        case UTF8PROC_CATEGORY_LL:
        case UTF8PROC_CATEGORY_LT:
        case UTF8PROC_CATEGORY_LM:
        case UTF8PROC_CATEGORY_LO:
        case UTF8PROC_CATEGORY_MN:
        case UTF8PROC_CATEGORY_MC:
        case UTF8PROC_CATEGORY_ME:
        case UTF8PROC_CATEGORY_ND:
        case UTF8PROC_CATEGORY_NL:
        case UTF8PROC_CATEGORY_NO:
            return CharClass::kWord;
        default:
            return CharClass::kSeparator;
    }
}

struct CjkChar {
    size_t begin, end;
    std::string text;
};

// Emits the tokens of one run of CJK characters (see the header for the two modes).
void emit_cjk_run(const std::vector<CjkChar>& run, TokenMode mode,
                  const std::function<void(const TextToken&)>& emit) {
    TextToken t;
    t.kind = TextToken::kCjkPair;
    for (size_t i = 0; i + 1 < run.size(); ++i) {
        t.text = run[i].text + run[i + 1].text;
        t.begin = run[i].begin, t.end = run[i + 1].end;
        emit(t);
    }
    if (mode == TokenMode::kDocument || run.size() == 1) {
        t.kind = TextToken::kCjkChar;
        t.text = run.back().text, t.begin = run.back().begin, t.end = run.back().end;
        emit(t);
    }
}

}  // namespace

std::string fold_text(std::string_view text) {
    bool ascii = true;
    for (char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    if (ascii) {
        std::string out(text);
        for (char& c : out) {
            if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
        }
        return out;
    }
    utf8proc_uint8_t* folded = nullptr;
    const utf8proc_ssize_t n =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                     utf8proc_ssize_t(text.size()), &folded, utf8proc_option_t(kFoldOptions));
    if (n < 0) return "";  // invalid UTF-8: callers pass only the valid slices they found
    std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(folded, &std::free);
    return std::string(reinterpret_cast<const char*>(folded), size_t(n));
}

void tokenize_text(std::string_view text, TokenMode mode,
                   const std::function<void(const TextToken&)>& emit) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    std::vector<CjkChar> run;
    size_t word_begin = 0, word_end = 0;  // the byte range of the word being read
    bool in_word = false;
    auto flush_word = [&] {
        if (!in_word) return;
        in_word = false;
        TextToken t;
        t.text = fold_text(text.substr(word_begin, word_end - word_begin));
        t.begin = word_begin, t.end = word_end;
        if (!t.text.empty()) emit(t);
    };
    auto flush_run = [&] {
        if (run.empty()) return;
        emit_cjk_run(run, mode, emit);
        run.clear();
    };
    size_t i = 0;
    while (i < text.size()) {
        const utf8::Sequence seq = utf8::examine(bytes + i, text.size() - i);
        const size_t len = seq.length == 0 ? 1 : seq.length;
        const CharClass cls =
            seq.kind == utf8::Sequence::kComplete ? classify(seq.cp) : CharClass::kSeparator;
        switch (cls) {
            case CharClass::kIgnorable:  // joins whatever surrounds it (a soft hyphen, a ZWJ)
                if (in_word) word_end = i + len;
                break;
            case CharClass::kWord:
                flush_run();
                if (!in_word) in_word = true, word_begin = i;
                word_end = i + len;
                break;
            case CharClass::kCjk:
                flush_word();
                run.push_back({i, i + len,
                               folds_to_itself(seq.cp) ? std::string(text.substr(i, len))
                                                       : fold_text(text.substr(i, len))});
                if (run.back().text.empty()) run.pop_back();
                break;
            case CharClass::kSeparator:
                flush_word();
                flush_run();
                break;
        }
        i += len;
    }
    flush_word();
    flush_run();
}

std::vector<TextToken> tokenize_text(std::string_view text, TokenMode mode) {
    std::vector<TextToken> tokens;
    tokenize_text(text, mode, [&](const TextToken& t) { tokens.push_back(t); });
    return tokens;
}

}  // namespace qe::knowledge
