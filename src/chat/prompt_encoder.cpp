#include "chat/prompt_encoder.h"

#include <string_view>

#include "core/error.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

// Private-use code points that no tokenizer merges across and that users don't type; each
// message's content is replaced by a numbered marker before rendering, to find it afterwards.
constexpr std::string_view kOpen = "\xEF\xA3\xB0";   // U+F8F0
constexpr std::string_view kClose = "\xEF\xA3\xB1";  // U+F8F1

std::string marker(size_t i) { return std::string(kOpen) + std::to_string(i) + std::string(kClose); }

// Literal texts of every added token, to recognise them in the template's markup.
std::vector<std::pair<std::string_view, int32_t>> added_literals(const Tokenizer& tok) {
    std::vector<std::pair<std::string_view, int32_t>> out;
    for (int32_t id = 0; id < tok.size(); ++id) {
        const TokenKind k = tok.kind(id);
        if ((k == TokenKind::kControl || k == TokenKind::kUserDefined) && !tok.token_bytes(id).empty())
            out.emplace_back(tok.token_bytes(id), id);
    }
    return out;
}

// One stretch of the rendered prompt: markup (literals become tokens) or user text (never).
struct Piece {
    std::string_view text;
    bool markup;
};

// Encodes pieces as Hugging Face would encode their concatenation, except that added-token
// literals are recognised only inside markup: text between recognised literals is encoded as
// one stretch, whichever pieces it spans.
std::vector<int32_t> encode_pieces(const Tokenizer& tok, const std::vector<Piece>& pieces) {
    const auto literals = added_literals(tok);
    std::vector<int32_t> ids;
    std::string stretch;
    auto flush = [&] {
        if (!stretch.empty()) tok.encode(stretch, SpecialTokens::kAsText, ids);
        stretch.clear();
    };
    for (const auto& piece : pieces) {
        if (!piece.markup) {
            stretch.append(piece.text);
            continue;
        }
        const std::string_view t = piece.text;
        size_t i = 0;
        while (i < t.size()) {
            // Longest literal starting here.
            const std::pair<std::string_view, int32_t>* best = nullptr;
            if (t[i] == '<')
                for (const auto& lit : literals)
                    if (t.substr(i).starts_with(lit.first) && (!best || lit.first.size() > best->first.size()))
                        best = &lit;
            if (best) {
                flush();
                ids.push_back(best->second);
                i += best->first.size();
            } else {
                stretch.push_back(t[i++]);
            }
        }
    }
    flush();
    return ids;
}

}  // namespace

EncodedPrompt encode_conversation(const PromptFormatter& formatter, const Tokenizer& tokenizer,
                                  const json& messages, const json& tools,
                                  bool add_generation_prompt) {
    if (!messages.is_array()) throw Error("messages must be an array");
    // Render once with markers in place of each message's text content.
    json marked = messages;
    std::vector<std::string> contents;
    for (auto& m : marked) {
        if (m.is_object() && m.contains("content") && m["content"].is_string()) {
            contents.push_back(m["content"].get<std::string>());
            m["content"] = marker(contents.size() - 1);
        }
    }
    const FormattedPrompt marked_prompt = formatter.format(marked, tools, add_generation_prompt);

    // Split the rendering at the markers; each must appear exactly once and in order, or the
    // template did something to the content (quoted or changed it) and we cannot tell markup
    // from user text: then everything is encoded as text except the markup outside messages.
    std::vector<Piece> pieces;
    std::string text;
    const std::string& r = marked_prompt.text;
    size_t at = 0;
    bool intact = true;
    for (size_t i = 0; i < contents.size() && intact; ++i) {
        const std::string m = marker(i);
        const size_t found = r.find(m, at);
        if (found == std::string::npos || r.find(m, found + m.size()) != std::string::npos) {
            intact = false;
            break;
        }
        pieces.push_back({std::string_view(r).substr(at, found - at), true});
        pieces.push_back({contents[i], false});
        at = found + m.size();
    }
    if (intact && r.find(kOpen, at) == std::string::npos) {
        pieces.push_back({std::string_view(r).substr(at), true});
        EncodedPrompt out;
        for (const auto& p : pieces) out.text.append(p.text);
        out.ids = encode_pieces(tokenizer, pieces);
        out.warning = marked_prompt.warning;
        return out;
    }

    // Fallback: render the real conversation; literals count only when no message contains one.
    const FormattedPrompt plain = formatter.format(messages, tools, add_generation_prompt);
    bool content_has_literal = false;
    for (const auto& c : contents)
        for (const auto& lit : added_literals(tokenizer))
            content_has_literal |= c.find(lit.first) != std::string::npos;
    if (content_has_literal)
        throw Error(
            "a message contains a special token literal (such as <|im_end|>) and this model's "
            "chat template changes message text, so it cannot be kept apart from the markup");
    EncodedPrompt out;
    out.text = plain.text;
    out.ids = tokenizer.encode(plain.text, SpecialTokens::kParse);
    out.warning = plain.warning;
    return out;
}

}  // namespace qe
