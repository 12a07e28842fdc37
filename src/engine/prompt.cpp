#include "engine/prompt.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/json_file.h"
#include "jinja/chat_template.h"

namespace qe {
namespace {

// Stand-ins for the user's text while the template renders, from Unicode's private use area.
constexpr std::string_view kUserMark = "\xEE\x80\x80user\xEE\x80\x81";
constexpr std::string_view kSystemMark = "\xEE\x80\x80system\xEE\x80\x81";

std::string read_text_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

size_t count(std::string_view text, std::string_view part) {
    size_t n = 0;
    for (size_t at = text.find(part); at != std::string_view::npos; at = text.find(part, at + 1))
        ++n;
    return n;
}

}  // namespace

std::string chat_template_source(const ModelFile& file) {
    if (const GgufFile* g = file.gguf()) {
        const GgufValue* v = g->find("tokenizer.chat_template");
        return v && v->as_string() ? *v->as_string() : std::string();
    }
    const auto& folder = file.hf_folder();
    if (std::filesystem::exists(folder / "chat_template.jinja"))
        return read_text_file(folder / "chat_template.jinja");
    const auto config_path = folder / "tokenizer_config.json";
    if (!std::filesystem::exists(config_path)) return {};
    const nlohmann::json config = read_json_file(config_path);
    const auto it = config.find("chat_template");
    if (it == config.end()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_array()) {
        for (const auto& entry : *it)
            if (entry.is_object() && entry.value("name", "") == "default" &&
                entry.contains("template") && entry["template"].is_string())
                return entry["template"].get<std::string>();
    }
    return {};
}

std::vector<int> stop_token_ids(const ModelFile& file, const Tokenizer& tokenizer) {
    std::vector<int> ids;
    auto add = [&](int id) {
        if (id >= 0 && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    };
    add(file.config().eos_id);
    add(tokenizer.eos_id());
    add(tokenizer.find_added("<|im_end|>"));
    add(tokenizer.find_added("<|endoftext|>"));
    return ids;
}

ChatPrompt chat_prompt(const ModelFile& file, const Tokenizer& tokenizer, const std::string& user,
                       const std::string& system) {
    const PromptFormatter formatter(chat_template_source(file));
    auto messages_with = [&](std::string_view user_text, std::string_view system_text) {
        nlohmann::ordered_json messages = nlohmann::ordered_json::array();
        if (!system.empty()) messages.push_back({{"role", "system"}, {"content", system_text}});
        messages.push_back({{"role", "user"}, {"content", user_text}});
        return messages;
    };
    ChatPrompt prompt;
    const FormattedPrompt real = formatter.format(messages_with(user, system), nullptr, true);
    prompt.text = real.text;
    prompt.warning = real.warning;

    // Render again with stand-ins for the user's texts, so that the template's own markers are
    // parsed as control tokens and the user's text is encoded as plain text around them.
    const FormattedPrompt marked =
        formatter.format(messages_with(kUserMark, kSystemMark), nullptr, true);
    const bool marks_usable = count(marked.text, kUserMark) == 1 &&
                              count(marked.text, kSystemMark) == (system.empty() ? 0 : 1) &&
                              count(user, "\xEE\x80\x80") == 0 &&
                              count(system, "\xEE\x80\x80") == 0;
    std::vector<int32_t> ids;
    if (!marks_usable) {
        // A template that rewrites the content: encode the real rendering as it is.
        tokenizer.encode(real.text, SpecialTokens::kParse, ids);
    } else {
        std::string_view rest = marked.text;
        while (!rest.empty()) {
            const size_t u = rest.find(kUserMark), s = rest.find(kSystemMark);
            const size_t at = std::min(u, s);
            tokenizer.encode(rest.substr(0, at), SpecialTokens::kParse, ids);
            if (at == std::string_view::npos) break;
            const bool is_user = at == u;
            tokenizer.encode(is_user ? user : system, SpecialTokens::kAsText, ids);
            rest.remove_prefix(at + (is_user ? kUserMark : kSystemMark).size());
        }
    }
    prompt.ids.assign(ids.begin(), ids.end());
    return prompt;
}

}  // namespace qe
