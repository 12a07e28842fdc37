#include "fetch/catalogue_names.h"

#include <cctype>
#include <vector>

#include "core/error.h"
#include "fetch/ascii.h"

namespace qe::fetch {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string without_suffix(const std::string& s, const std::string& tail) {
    return ends_with(s, tail) ? s.substr(0, s.size() - tail.size()) : s;
}

std::vector<std::string> split_colons(const std::string& s) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t colon; (colon = s.find(':', start)) != std::string::npos; start = colon + 1)
        parts.push_back(s.substr(start, colon - start));
    parts.push_back(s.substr(start));
    return parts;
}

// Whether `n` (lower case) is one of the entry's full names: "qwen2.5-1.5b-instruct",
// "qwen2.5-1.5b", its repository "qwen/qwen2.5-1.5b-instruct-gguf" or the original model's
// "qwen/qwen2.5-1.5b-instruct", with or without the owner and the "-gguf".
bool is_full_name(const CatalogueEntry& e, const std::string& n) {
    const std::string repo = ascii_lower(e.hf_repo);
    const std::string owner = repo.substr(0, repo.find('/') + 1);  // "qwen/"
    std::string bare = without_suffix(n, "-gguf");
    for (const std::string& prefix : {owner, std::string("qwen/")}) {
        if (bare.rfind(prefix, 0) == 0) {
            bare = bare.substr(prefix.size());
            break;
        }
    }
    const std::string display = ascii_lower(e.display_name);
    const std::string repo_name = without_suffix(repo.substr(owner.size()), "-gguf");
    return bare == display || bare == without_suffix(display, "-instruct") || bare == repo_name;
}

bool looks_like_size(const std::string& s) {
    return !s.empty() && std::isdigit(static_cast<unsigned char>(s[0])) && ends_with(s, "b");
}

// The entry of `family` in `size`; with no size, the family's smallest (the first in the table).
const CatalogueEntry& entry_of_family(const std::string& family, const std::string& size) {
    std::string sizes;
    for (const auto& e : model_catalogue()) {
        if (e.family != family) continue;
        if (size.empty() || e.size == size) return e;
        sizes += (sizes.empty() ? "" : ", ") + e.short_name();
    }
    throw Error("there is no " + family + " model of size " + size + " in the catalogue; " +
                family + " comes as " + sizes);
}

void check_quant(const CatalogueEntry& e, const std::string& quant) {
    if (quant.empty() || e.find_quant(quant)) return;
    throw Error(e.display_name + " (" + e.hf_repo + ") has no file in quantization '" + quant +
                "'; choose one of: " + e.quant_names());
}

}  // namespace

std::optional<CatalogueChoice> parse_catalogue_name(const std::string& name) {
    const std::vector<std::string> parts = split_colons(ascii_lower(name));
    const std::string& head = parts[0];
    for (const auto& e : model_catalogue()) {
        if (e.family == head) {
            // NAME[:SIZE][:QUANT]: a second part is a size when it looks like one.
            size_t next = 1;
            std::string size;
            if (parts.size() > next && looks_like_size(parts[next])) size = parts[next++];
            if (parts.size() > next + 1) {
                throw Error("cannot read the model name '" + name +
                            "': it is NAME[:SIZE][:QUANT], e.g. qwen2.5:1.5b:q4_k_m");
            }
            const CatalogueEntry& entry = entry_of_family(head, size);
            CatalogueChoice choice{&entry, parts.size() > next ? parts[next] : ""};
            check_quant(entry, choice.quant);
            return choice;
        }
    }
    for (const auto& e : model_catalogue()) {
        if (!is_full_name(e, head)) continue;
        if (parts.size() > 2) {
            throw Error("cannot read the model name '" + name + "': it is NAME[:QUANT], e.g. " +
                        e.display_name + ":" + e.default_quant);
        }
        CatalogueChoice choice{&e, parts.size() > 1 ? parts[1] : ""};
        check_quant(e, choice.quant);
        return choice;
    }
    return std::nullopt;
}

}  // namespace qe::fetch
