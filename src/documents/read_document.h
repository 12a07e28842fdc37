// The way in for a file of the knowledge base: its format from its extension (and, where the
// extension lies, its first bytes), its text as blocks, then its chunks. Never throws: a file
// that cannot be read comes back with a Skip that names the reason, and no blocks or chunks.
//
// Formats: .txt .md .markdown .csv .tsv .html .htm .pdf .docx .pptx .xlsx .ofd. Legacy Office and
// WPS files (.doc .xls .ppt .wps .et .dps) are skipped with the format to save them as.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "documents/blocks.h"
#include "documents/chunk.h"
#include "documents/chunker.h"

namespace qe::documents {

// Files above this are skipped (kTooLarge) before any byte is read: 200 MiB holds any real
// document, and a reader needs the whole file in memory.
inline constexpr uint64_t kMaxDocumentBytes = 200ull << 20;

DocumentText read_document(const std::filesystem::path& path,
                           uint64_t max_bytes = kMaxDocumentBytes);

// The same from bytes already in memory; `file_name`'s extension picks the reader.
DocumentText read_document_bytes(std::string_view bytes, std::string_view file_name);

// read_document() then chunk_blocks(): what an import stores.
Document import_document(const std::filesystem::path& path, const ChunkOptions& options = {});

}  // namespace qe::documents
