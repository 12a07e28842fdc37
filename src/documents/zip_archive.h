// A zip archive in memory (DOCX, PPTX, XLSX, OFD) read through libzip with caps that hold
// against zip bombs: the number of entries, the bytes of one entry and of all entries read, and
// the ratio of unpacked to packed bytes. The caps count the bytes actually inflated, never the
// sizes the archive claims. Breaking a cap throws DocumentError(kZipBomb); a damaged archive
// kBroken; an entry with a password kEncrypted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct zip;

namespace qe::documents {

struct ZipLimits {
    uint64_t max_entries = 20000;
    uint64_t max_entry_bytes = 64ull << 20;   // one XML part: Word's largest are a few MB
    uint64_t max_total_bytes = 256ull << 20;  // everything read from one archive
    uint64_t max_ratio = 200;                 // unpacked / packed, above the first MiB
};

class ZipArchive {
  public:
    // `bytes` must outlive the archive.
    explicit ZipArchive(std::string_view bytes, const ZipLimits& limits = {});
    ~ZipArchive();
    ZipArchive(const ZipArchive&) = delete;
    ZipArchive& operator=(const ZipArchive&) = delete;

    bool contains(std::string_view name) const;
    // The entry's bytes; nullopt when there is no such entry.
    std::optional<std::string> read(std::string_view name);
    // The same, and a missing entry is a broken file of `format` ("DOCX", ...).
    std::string read_required(std::string_view name, std::string_view format);

  private:
    zip* archive_ = nullptr;
    ZipLimits limits_;
    uint64_t total_read_ = 0;
};

// "word/_rels/../media/x.png" -> "word/media/x.png"; leading '/' removed (an absolute part name
// is relative to the archive's root).
std::string normalize_zip_path(std::string_view path);

// The folder of an entry name, with its trailing '/' ("word/" for "word/document.xml").
std::string zip_folder(std::string_view name);

}  // namespace qe::documents
