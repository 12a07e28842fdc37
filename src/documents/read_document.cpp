#include "documents/read_document.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <new>
#include <system_error>

#include "documents/markup_formats.h"
#include "documents/office_formats.h"
#include "documents/text_decoding.h"
#include "documents/text_formats.h"

namespace qe::documents {

namespace {

namespace fs = std::filesystem;

std::string lower_extension(std::string_view file_name) {
    std::string ext = fs::path(file_name).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext;
}

// What to save a legacy file as, or "" when the extension is not a legacy one.
std::string_view legacy_replacement(std::string_view ext) {
    if (ext == ".doc" || ext == ".wps" || ext == ".rtf") return ".docx";
    if (ext == ".xls" || ext == ".et") return ".xlsx";
    if (ext == ".ppt" || ext == ".dps") return ".pptx";
    return "";
}

// An OLE compound file: legacy Office, or an Office file encrypted with a password (which
// Office stores as an OLE file holding an "EncryptedPackage" stream).
bool is_ole_file(std::string_view bytes) {
    return bytes.starts_with("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
}

void refuse_ole(std::string_view bytes, std::string_view ext) {
    using namespace std::string_view_literals;  // "..."sv keeps the NULs of UTF-16
    constexpr std::string_view kEncryptedPackage =
        "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0"sv;
    if (bytes.find(kEncryptedPackage) != std::string_view::npos) {
        throw DocumentError(SkipReason::kEncrypted,
                            "encrypted: the file is protected by a password; save it without one");
    }
    throw DocumentError(SkipReason::kLegacyFormat,
                        "legacy format: an old binary Office file under a " + std::string(ext) +
                            " name; open it and save it as " + std::string(ext));
}

std::vector<Block> read_blocks(std::string_view bytes, std::string_view file_name) {
    const std::string ext = lower_extension(file_name);
    if (const std::string_view to = legacy_replacement(ext); !to.empty()) {
        throw DocumentError(SkipReason::kLegacyFormat, "legacy format: " + ext +
                                                           " files cannot be read; open the file "
                                                           "and save it as " +
                                                           std::string(to));
    }
    if (ext == ".txt" || ext == ".text") return read_plain_text(decode_text(bytes));
    if (ext == ".md" || ext == ".markdown") return read_markdown(decode_text(bytes));
    if (ext == ".csv") return read_csv(decode_text(bytes), ',');
    if (ext == ".tsv") return read_csv(decode_text(bytes), '\t');
    if (ext == ".docx" || ext == ".pptx" || ext == ".xlsx") {
        if (is_ole_file(bytes)) refuse_ole(bytes, ext);
        if (ext == ".docx") return read_docx(bytes);
        if (ext == ".pptx") return read_pptx(bytes);
        return read_xlsx(bytes);
    }
    if (ext == ".ofd") return read_ofd(bytes);
    if (ext == ".html" || ext == ".htm" || ext == ".xhtml") return read_html(bytes);
    if (ext == ".pdf") return read_pdf(bytes);
    throw DocumentError(SkipReason::kUnsupportedFormat,
                        "unsupported format: " + (ext.empty() ? std::string("no extension") : ext) +
                            " (readable: .txt .md .csv .html .pdf .docx .pptx .xlsx .ofd)");
}

}  // namespace

DocumentText read_document_bytes(std::string_view bytes, std::string_view file_name) {
    DocumentText out;
    try {
        out.blocks = read_blocks(bytes, file_name);
        if (out.blocks.empty()) {
            throw DocumentError(SkipReason::kEmpty, "empty: the file holds no text");
        }
    } catch (const DocumentError& e) {
        out.blocks.clear();
        out.skipped = Skip{e.reason(), e.what()};
    } catch (const std::bad_alloc&) {
        out.blocks.clear();
        out.skipped = Skip{SkipReason::kTooLarge, "too large: out of memory while reading"};
    } catch (const std::exception& e) {  // a library's own error: the file is damaged
        out.blocks.clear();
        out.skipped = Skip{SkipReason::kBroken, std::string("broken: ") + e.what()};
    }
    return out;
}

DocumentText read_document(const fs::path& path, uint64_t max_bytes) {
    DocumentText out;
    std::error_code ec;
    const uint64_t size = fs::file_size(path, ec);
    if (ec) {
        out.skipped = Skip{SkipReason::kUnreadable, "unreadable: " + ec.message()};
        return out;
    }
    if (size > max_bytes) {
        out.skipped = Skip{SkipReason::kTooLarge, "too large: " + std::to_string(size >> 20) +
                                                      " MiB, over the limit of " +
                                                      std::to_string(max_bytes >> 20) + " MiB"};
        return out;
    }
    std::string bytes;
    try {
        bytes.resize(size);
        std::ifstream in(path, std::ios::binary);
        if (!in.read(bytes.data(), std::streamsize(size))) {
            out.skipped = Skip{SkipReason::kUnreadable, "unreadable: the file could not be read"};
            return out;
        }
    } catch (const std::bad_alloc&) {
        out.skipped = Skip{SkipReason::kTooLarge, "too large: out of memory while reading"};
        return out;
    }
    return read_document_bytes(bytes, path.filename().string());
}

Document import_document(const fs::path& path, const ChunkOptions& options) {
    Document doc;
    doc.file = path.string();
    DocumentText text = read_document(path);
    doc.skipped = std::move(text.skipped);
    if (!doc.skipped) doc.chunks = chunk_blocks(text.blocks, options);
    return doc;
}

}  // namespace qe::documents
