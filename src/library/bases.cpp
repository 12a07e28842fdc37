#include "library/bases.h"

#include <algorithm>
#include <system_error>

#include "knowledge/data_dir.h"

namespace qe::library {
namespace fs = std::filesystem;

namespace {
constexpr const char* kWalSuffixes[] = {"-wal", "-shm", "-journal"};
}

fs::path Bases::path_of(const std::string& name) const {
    return knowledge::base_path(data_dir_, name);
}

bool Bases::exists(const std::string& name) const {
    std::error_code ec;
    return fs::is_regular_file(path_of(name), ec);
}

std::vector<std::string> Bases::names() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(data_dir_ / "knowledge", ec)) {
        const fs::path& p = entry.path();
        if (p.extension() != ".sqlite" || !entry.is_regular_file(ec)) continue;
        const std::string name = p.stem().string();
        try {
            knowledge::validate_base_name(name);
            out.push_back(name);
        } catch (const Error&) {
            // not a base of ours (a file copied in by hand): left alone, not listed
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

void Bases::create(const std::string& name) const {
    const fs::path p = path_of(name);
    if (exists(name))
        throw BaseExists("knowledge base '" + name + "' already exists (" + p.string() + ")");
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) throw Error(p.parent_path().string() + ": cannot create the folder: " + ec.message());
    knowledge::KnowledgeBase base(p.string());  // creates the schema
}

std::unique_ptr<knowledge::KnowledgeBase> Bases::open(
    const std::string& name, std::optional<knowledge::EmbedderInfo> embedder) const {
    if (!exists(name))
        throw BaseNotFound("no knowledge base '" + name + "' in " +
                           (data_dir_ / "knowledge").string() +
                           " (create it with `qwen-edge kb create " + name + "`)");
    return std::make_unique<knowledge::KnowledgeBase>(path_of(name).string(), std::move(embedder));
}

void Bases::remove(const std::string& name) const {
    const fs::path p = path_of(name);
    if (!exists(name)) throw BaseNotFound("no knowledge base '" + name + "'");
    std::error_code ec;
    fs::remove(p, ec);
    if (ec) throw Error(p.string() + ": cannot remove: " + ec.message());
    for (const char* suffix : kWalSuffixes) fs::remove(p.string() + suffix, ec);
}

BaseSummary Bases::summary(const std::string& name) const {
    auto base = open(name);
    BaseSummary s;
    s.name = name;
    s.documents = int64_t(base->documents().size());
    s.chunks = base->chunk_count();
    s.embedder = base->embedder();
    const fs::path p = path_of(name);
    std::error_code ec;
    s.bytes = fs::file_size(p, ec);
    for (const char* suffix : kWalSuffixes) {
        const uint64_t n = fs::file_size(p.string() + suffix, ec);
        if (!ec) s.bytes += n;
    }
    return s;
}

fs::path Bases::incoming_dir() const {
    const fs::path dir = data_dir_ / "knowledge" / ".incoming";
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(dir.string() + ": cannot create the folder: " + ec.message());
    return dir;
}

}  // namespace qe::library
