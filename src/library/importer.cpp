#include "library/importer.h"

#include <algorithm>
#include <system_error>

#include "core/error.h"
#include "documents/read_document.h"
#include "fetch/sha256.h"

namespace qe::library {
namespace fs = std::filesystem;

std::string_view outcome_name(Outcome outcome) {
    switch (outcome) {
        case Outcome::kAdded:
            return "added";
        case Outcome::kUpdated:
            return "updated";
        case Outcome::kUnchanged:
            return "unchanged";
        case Outcome::kSkipped:
            return "skipped";
        case Outcome::kRemoved:
            return "removed";
    }
    return "?";
}

size_t ImportReport::count(Outcome outcome) const {
    return size_t(std::count_if(files.begin(), files.end(),
                                [&](const FileResult& f) { return f.outcome == outcome; }));
}

std::string document_key(const fs::path& file) {
    std::error_code ec;
    fs::path p = fs::absolute(file, ec);
    if (ec) p = file;
    return p.lexically_normal().string();
}

namespace {

// Hidden files and folders (".git", ".DS_Store") and the lock files Office leaves beside an open
// document ("~$报告.docx") are never documents.
bool ignored_name(const fs::path& p) {
    const std::string name = p.filename().string();
    return name.starts_with(".") || name.starts_with("~$");
}

// Documents stored under `folder` (their keys start with it).
bool under(const std::string& key, const std::string& folder) {
    if (!key.starts_with(folder)) return false;
    return key.size() > folder.size() && (folder.ends_with("/") || key[folder.size()] == '/');
}

}  // namespace

std::vector<fs::path> files_to_import(std::span<const fs::path> paths) {
    std::vector<fs::path> files;
    for (const fs::path& path : paths) {
        std::error_code ec;
        const auto status = fs::status(path, ec);
        if (ec || !fs::exists(status)) throw Error(path.string() + ": no such file or folder");
        if (!fs::is_directory(status)) {
            files.push_back(path);
            continue;
        }
        fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied,
                                            ec);
        if (ec) throw Error(path.string() + ": cannot list the folder: " + ec.message());
        for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
            if (ec) break;  // a folder removed while we walk: what was listed is imported
            if (ignored_name(it->path())) {
                if (it->is_directory(ec)) it.disable_recursion_pending();
                continue;
            }
            if (it->is_regular_file(ec)) files.push_back(it->path());
        }
    }
    std::sort(files.begin(), files.end());
    files.erase(std::unique(files.begin(), files.end()), files.end());
    return files;
}

std::string content_hash(const fs::path& file) {
    fetch::Sha256 hash;
    fetch::hash_file_into(file.string(), hash);
    std::error_code ec;
    const uint64_t size = fs::file_size(file, ec);
    return hash.hex_digest() + ":" + std::to_string(ec ? 0 : size);
}

uint64_t size_of_content_hash(const std::string& hash) {
    const size_t colon = hash.rfind(':');
    if (colon == std::string::npos) return 0;
    try {
        return std::stoull(hash.substr(colon + 1));
    } catch (const std::exception&) {
        return 0;
    }
}

FileResult import_file(knowledge::KnowledgeBase& base, const fs::path& file,
                       const std::string& document, const ImportOptions& options) {
    FileResult r;
    r.document = document;
    std::string hash;
    try {
        hash = content_hash(file);
    } catch (const Error& e) {
        r.outcome = Outcome::kSkipped;
        r.reason = documents::skip_reason_name(documents::SkipReason::kUnreadable);
        r.message = e.what();
        return r;
    }
    r.bytes = size_of_content_hash(hash);
    const auto stored = base.document(document);
    if (stored && stored->content_hash == hash) {
        r.outcome = Outcome::kUnchanged;
        r.chunks = stored->chunk_count;
        return r;
    }
    documents::Document doc = documents::import_document(file, options.chunking);
    if (doc.skipped) {
        r.outcome = Outcome::kSkipped;
        r.reason = documents::skip_reason_name(doc.skipped->reason);
        r.message = doc.skipped->message;
        // What the base held of an older version no longer says what the file says.
        if (stored) base.remove_document(document);
        return r;
    }
    knowledge::DocumentInput input;
    input.path = document;
    input.content_hash = hash;
    std::vector<std::string> texts;
    for (documents::Chunk& c : doc.chunks) {
        texts.push_back(c.text);
        input.chunks.push_back({std::move(c.text), std::move(c.heading_path), c.page});
    }
    std::vector<std::vector<float>> vectors;
    if (options.embed && !texts.empty()) vectors = options.embed(texts);
    base.replace_document(input, vectors);
    r.outcome = stored ? Outcome::kUpdated : Outcome::kAdded;
    r.chunks = int64_t(input.chunks.size());
    return r;
}

ImportReport import_paths(knowledge::KnowledgeBase& base, std::span<const fs::path> paths,
                          const ImportOptions& options) {
    const std::vector<fs::path> files = files_to_import(paths);
    ImportProgress progress;
    progress.files_total = files.size();
    for (const fs::path& f : files) {
        std::error_code ec;
        const uint64_t size = fs::file_size(f, ec);
        progress.bytes_total += ec ? 0 : size;
    }
    ImportReport report;
    for (const fs::path& f : files) {
        progress.current = f.string();
        if (options.progress) options.progress(progress);
        FileResult r = import_file(base, f, document_key(f), options);
        std::error_code ec;
        const uint64_t size = fs::file_size(f, ec);
        progress.bytes_done += ec ? 0 : size;
        ++progress.files_done;
        if (options.on_file) options.on_file(r);
        report.files.push_back(std::move(r));
    }
    progress.current.clear();
    if (options.progress) options.progress(progress);

    if (options.remove_missing) {
        std::vector<std::string> folders;
        for (const fs::path& p : paths) {
            std::error_code ec;
            if (fs::is_directory(p, ec)) folders.push_back(document_key(p));
        }
        for (const knowledge::DocumentInfo& d : base.documents()) {
            const bool in_folder = std::any_of(folders.begin(), folders.end(),
                                               [&](const auto& f) { return under(d.path, f); });
            std::error_code ec;
            if (!in_folder || fs::exists(d.path, ec)) continue;
            base.remove_document(d.path);
            FileResult r;
            r.document = d.path;
            r.outcome = Outcome::kRemoved;
            if (options.on_file) options.on_file(r);
            report.files.push_back(std::move(r));
        }
    }
    return report;
}

}  // namespace qe::library
