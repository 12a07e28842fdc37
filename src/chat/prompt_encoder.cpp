#include "chat/prompt_encoder.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include "core/error.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

// How user text is kept apart from the template's markup. Templates inspect message text
// (Qwen3's tests '</think>' in content, content.startswith('<tool_response>'), splits, strips
// and tests it for emptiness), so the template must see the real text: replacing whole contents
// by placeholders would change what it renders. Only the control-token literals inside the
// request's strings are escaped, each by a private-use marker: U+F8F0, the literal's number,
// U+F8F1 (U+F8F0 itself is escaped too, so a user can't forge a marker). The template sees the
// text unchanged except at those literals; in its rendering every whole control literal is then
// the template's own markup, and every marker is user text, encoded as text. When something was
// escaped, the rendering with the markers put back must equal the rendering of the real
// conversation, or the template reacted to the literal itself and we refuse. (A literal could
// still be joined from user text and markup if a template printed half a control token right
// beside a message's text; no chat template does.)
constexpr std::string_view kOpen = "\xEF\xA3\xB0";   // U+F8F0
constexpr std::string_view kClose = "\xEF\xA3\xB1";  // U+F8F1

struct Literals {
    std::vector<std::pair<std::string_view, int32_t>> added;  // every added token: text, id
    std::vector<std::string_view> escaped;                    // control literals, then kOpen
    std::array<bool, 256> starts{};                           // first bytes of `added`
    std::array<bool, 256> escaped_starts{};                   // first bytes of `escaped`
};

Literals literals_of(const Tokenizer& tok) {
    Literals out;
    for (int32_t id = 0; id < tok.size(); ++id) {
        const TokenKind k = tok.kind(id);
        const std::string_view text = tok.token_bytes(id);
        if ((k == TokenKind::kControl || k == TokenKind::kUserDefined) && !text.empty()) {
            out.added.emplace_back(text, id);
            out.starts[uint8_t(text[0])] = true;
            if (k == TokenKind::kControl) out.escaped.push_back(text);
        }
    }
    out.escaped.push_back(kOpen);
    for (const auto lit : out.escaped) out.escaped_starts[uint8_t(lit[0])] = true;
    return out;
}

// Longest of `list` that `s` starts with at `at`, as its index; -1 for none.
template <typename List, typename TextOf>
int longest_at(std::string_view s, size_t at, const List& list, TextOf text_of) {
    int best = -1;
    size_t best_len = 0;
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string_view lit = text_of(list[i]);
        if (lit.size() > best_len && s.substr(at).starts_with(lit)) {
            best = int(i);
            best_len = lit.size();
        }
    }
    return best;
}

std::string escape(std::string_view s, const Literals& lits, bool& changed) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        const int k = !lits.escaped_starts[uint8_t(s[i])]
                          ? -1
                          : longest_at(s, i, lits.escaped, [](std::string_view v) { return v; });
        if (k < 0) {
            out.push_back(s[i++]);
            continue;
        }
        out.append(kOpen).append(std::to_string(k)).append(kClose);
        i += lits.escaped[size_t(k)].size();
        changed = true;
    }
    return out;
}

// Every string of a JSON value (object keys too) escaped.
json escape_all(const json& v, const Literals& lits, bool& changed) {
    if (v.is_string()) return escape(v.get_ref<const std::string&>(), lits, changed);
    if (v.is_array()) {
        json out = json::array();
        for (const auto& e : v) out.push_back(escape_all(e, lits, changed));
        return out;
    }
    if (v.is_object()) {
        json out = json::object();
        for (const auto& [key, e] : v.items())
            out[escape(key, lits, changed)] = escape_all(e, lits, changed);
        return out;
    }
    return v;
}

// The marker at `at` of a rendering: the escaped literal's index and the marker's length.
std::optional<std::pair<size_t, size_t>> marker_at(std::string_view r, size_t at,
                                                   const Literals& lits) {
    if (!r.substr(at).starts_with(kOpen)) return std::nullopt;
    size_t i = at + kOpen.size();
    size_t index = 0;
    const size_t digits_from = i;
    while (i < r.size() && r[i] >= '0' && r[i] <= '9' && i - digits_from < 6)
        index = index * 10 + size_t(r[i++] - '0');
    if (i == digits_from || index >= lits.escaped.size() || !r.substr(i).starts_with(kClose))
        return std::nullopt;
    return std::pair{index, i + kClose.size() - at};
}

// Encodes an escaped rendering: added-token literals become their ids; markers become the text
// they stand for, encoded as text. Text between two tokens is encoded as one stretch, as Hugging
// Face encodes the text between added tokens. Also returns the rendering with markers put back.
std::vector<int32_t> encode_rendering(const Tokenizer& tok, const Literals& lits,
                                      std::string_view r, std::string& text) {
    std::vector<int32_t> ids;
    std::string stretch;
    auto flush = [&] {
        if (!stretch.empty()) tok.encode(stretch, SpecialTokens::kAsText, ids);
        stretch.clear();
    };
    for (size_t i = 0; i < r.size();) {
        if (const auto m = marker_at(r, i, lits)) {
            const std::string_view lit = lits.escaped[m->first];
            stretch.append(lit);
            text.append(lit);
            i += m->second;
            continue;
        }
        const int k = !lits.starts[uint8_t(r[i])]
                          ? -1
                          : longest_at(r, i, lits.added, [](const auto& p) { return p.first; });
        if (k >= 0) {
            const auto& [lit, id] = lits.added[size_t(k)];
            flush();
            ids.push_back(id);
            text.append(lit);
            i += lit.size();
        } else {
            stretch.push_back(r[i]);
            text.push_back(r[i]);
            ++i;
        }
    }
    flush();
    return ids;
}

}  // namespace

EncodedPrompt encode_conversation(const PromptFormatter& formatter, const Tokenizer& tokenizer,
                                  const json& messages, const json& tools,
                                  bool add_generation_prompt, const json& extra_variables) {
    if (!messages.is_array()) throw Error("messages must be an array");
    const Literals lits = literals_of(tokenizer);
    bool escaped = false;
    const json escaped_messages = escape_all(messages, lits, escaped);
    const json escaped_tools = escape_all(tools, lits, escaped);
    const FormattedPrompt rendered =
        formatter.format(escaped_messages, escaped_tools, add_generation_prompt, extra_variables);

    EncodedPrompt out;
    out.ids = encode_rendering(tokenizer, lits, rendered.text, out.text);
    out.warning = rendered.warning;
    if (escaped) {
        // The template saw markers where the request had control literals; it must not have
        // mattered (a template that tests, cuts or counts the literal's characters would).
        const FormattedPrompt plain =
            formatter.format(messages, tools, add_generation_prompt, extra_variables);
        if (plain.text != out.text || plain.fallback != rendered.fallback)
            throw Error(
                "a message contains a special token literal (such as <|im_end|>) and this model's "
                "chat template renders it differently from other text, so it cannot be kept apart "
                "from the markup; remove the literal from the message");
    }
    return out;
}

int conversation_end(const PromptFormatter& formatter, const Tokenizer& tokenizer,
                     const nlohmann::ordered_json& messages, const nlohmann::ordered_json& tools,
                     std::span<const int> prompt_ids,
                     const nlohmann::ordered_json& extra_variables) {
    try {
        const auto bare =
            encode_conversation(formatter, tokenizer, messages, tools, false, extra_variables);
        if (bare.ids.size() < prompt_ids.size() &&
            std::equal(bare.ids.begin(), bare.ids.end(), prompt_ids.begin()))
            return int(bare.ids.size());
    } catch (const Error&) {
        // A template that insists on the generation prompt: no point to keep.
    }
    return 0;
}

}  // namespace qe
