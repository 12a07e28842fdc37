#include "knowledge/data_dir.h"

#include <cstdlib>

#include "core/error.h"
#include "core/utf8.h"

namespace qe::knowledge {
namespace {

constexpr size_t kMaxNameChars = 64;

std::optional<std::string> env(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    return std::string(v);
}

}  // namespace

std::filesystem::path data_dir(const std::optional<std::string>& flag) {
    if (flag && !flag->empty()) return *flag;
    if (auto v = env("QWEN_EDGE_DATA")) return *v;
    if (auto v = env("XDG_DATA_HOME")) return std::filesystem::path(*v) / "qwen-edge";
    if (auto v = env("HOME")) return std::filesystem::path(*v) / ".local/share/qwen-edge";
    throw Error("no data folder: pass --data-dir, or set QWEN_EDGE_DATA or HOME");
}

void validate_base_name(std::string_view name) {
    const std::string quoted = "knowledge base name \"" + std::string(name) + "\"";
    if (name.empty()) throw Error("the knowledge base name is empty");
    if (utf8::find_invalid(name) != std::string_view::npos) {
        throw Error("the knowledge base name is not valid UTF-8");
    }
    if (name[0] == '.') throw Error(quoted + " starts with a dot; start it with a letter");
    size_t chars = 0;
    for (size_t i = 0; i < name.size(); i += utf8::examine(name.substr(i)).length, ++chars) {
        const char32_t cp = utf8::examine(name.substr(i)).cp;
        if (cp == '/' || cp == '\\') throw Error(quoted + " holds a path separator");
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
            throw Error("the knowledge base name holds a control character");
        }
        if (cp == ':' || cp == '*' || cp == '?' || cp == '"' || cp == '<' || cp == '>' ||
            cp == '|') {
            throw Error(quoted + " holds one of : * ? \" < > | (not allowed in file names)");
        }
    }
    if (chars > kMaxNameChars) {
        throw Error(quoted + " is longer than " + std::to_string(kMaxNameChars) + " characters");
    }
}

std::filesystem::path base_path(const std::filesystem::path& data_dir, std::string_view name) {
    validate_base_name(name);
    return data_dir / "knowledge" / (std::string(name) + ".sqlite");
}

}  // namespace qe::knowledge
