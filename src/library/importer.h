// Files and folders into a knowledge base: each file read and chunked (documents/), embedded
// when an embedder is given, and stored with KnowledgeBase::replace_document, one transaction per
// document. A file whose content (hash and size) is the stored one is left alone; a file that
// cannot be read is reported with its skip reason and the import goes on with the next.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "documents/chunker.h"
#include "knowledge/knowledge_base.h"

namespace qe::library {

struct ImportProgress {
    size_t files_done = 0, files_total = 0;
    uint64_t bytes_done = 0, bytes_total = 0;
    std::string current;  // the file being read now ("" once done)
};
using ProgressFn = std::function<void(const ImportProgress&)>;

enum class Outcome { kAdded, kUpdated, kUnchanged, kSkipped, kRemoved };
std::string_view outcome_name(Outcome outcome);  // "added", "updated", ...

struct FileResult {
    std::string document;  // the document's key in the base
    Outcome outcome = Outcome::kAdded;
    std::string reason;   // skipped: the skip reason's name (documents/skip_reason.h)
    std::string message;  // skipped: what was wrong, for a person
    int64_t chunks = 0;
    uint64_t bytes = 0;
};

struct ImportOptions {
    knowledge::EmbedTexts embed;  // set: a vector per chunk (the base must have the embedder)
    documents::ChunkOptions chunking;
    // Folders given: documents under them whose file is gone are removed (a sync).
    bool remove_missing = true;
    ProgressFn progress;
    std::function<void(const FileResult&)> on_file;  // each file's result as it is known
};

struct ImportReport {
    std::vector<FileResult> files;
    size_t count(Outcome outcome) const;
};

// The key a file is stored under: its absolute, normalised path.
std::string document_key(const std::filesystem::path& file);

// The files an import of `paths` reads: files as given, folders walked recursively (hidden files
// and folders, and Office lock files "~$...", left out), sorted. Throws qe::Error for a path that
// does not exist.
std::vector<std::filesystem::path> files_to_import(std::span<const std::filesystem::path> paths);

// Imports the files and folders (files_to_import) into `base`.
ImportReport import_paths(knowledge::KnowledgeBase& base,
                          std::span<const std::filesystem::path> paths,
                          const ImportOptions& options);

// Imports one file under the key `document` (an upload keeps its own name). `content_hash`:
// the file's, when the caller has it (else computed).
FileResult import_file(knowledge::KnowledgeBase& base, const std::filesystem::path& file,
                       const std::string& document, const ImportOptions& options);

// The stored content hash of a file: "<sha256 hex>:<size in bytes>"; and the size back from it.
std::string content_hash(const std::filesystem::path& file);
uint64_t size_of_content_hash(const std::string& hash);

}  // namespace qe::library
