#include "documents/zip_archive.h"

#include <zip.h>

#include <vector>

#include "documents/skip_reason.h"

namespace qe::documents {

namespace {

constexpr uint64_t kRatioFreeBytes = 1ull << 20;  // small parts compress well and are no threat

[[noreturn]] void bomb(const std::string& what) {
    throw DocumentError(SkipReason::kZipBomb,
                        "zip bomb: " + what + "; the archive is refused unread");
}

}  // namespace

ZipArchive::ZipArchive(std::string_view bytes, const ZipLimits& limits) : limits_(limits) {
    zip_error_t error;
    zip_error_init(&error);
    // libzip takes no bytes for an empty archive; a file of no bytes is no archive.
    zip_source_t* source =
        bytes.empty() ? nullptr : zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (source) archive_ = zip_open_from_source(source, ZIP_RDONLY, &error);
    if (bytes.empty()) zip_error_set(&error, ZIP_ER_NOZIP, 0);
    if (!archive_) {
        if (source) zip_source_free(source);
        const std::string why = zip_error_strerror(&error);
        zip_error_fini(&error);
        throw DocumentError(SkipReason::kBroken,
                            "broken: not a readable zip archive (" + why + ")");
    }
    zip_error_fini(&error);
    const zip_int64_t entries = zip_get_num_entries(archive_, 0);
    if (entries < 0 || uint64_t(entries) > limits_.max_entries) {
        zip_discard(archive_);
        archive_ = nullptr;
        bomb(std::to_string(entries) + " entries, over the limit of " +
             std::to_string(limits_.max_entries));
    }
}

ZipArchive::~ZipArchive() {
    if (archive_) zip_discard(archive_);
}

bool ZipArchive::contains(std::string_view name) const {
    return zip_name_locate(archive_, std::string(name).c_str(), 0) >= 0;
}

std::optional<std::string> ZipArchive::read(std::string_view name) {
    const std::string entry(name);
    const zip_int64_t index = zip_name_locate(archive_, entry.c_str(), 0);
    if (index < 0) return std::nullopt;
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive_, zip_uint64_t(index), 0, &stat) != 0) {
        throw DocumentError(SkipReason::kBroken, "broken: cannot read the entry " + entry);
    }
    const uint64_t packed = (stat.valid & ZIP_STAT_COMP_SIZE) ? stat.comp_size : 0;
    zip_file_t* file = zip_fopen_index(archive_, zip_uint64_t(index), 0);
    if (!file) {
        const int code = zip_error_code_zip(zip_get_error(archive_));
        if (code == ZIP_ER_NOPASSWD || code == ZIP_ER_WRONGPASSWD || code == ZIP_ER_ENCRNOTSUPP) {
            throw DocumentError(SkipReason::kEncrypted,
                                "encrypted: the entry " + entry + " needs a password");
        }
        throw DocumentError(SkipReason::kBroken, "broken: cannot open the entry " + entry + " (" +
                                                     zip_strerror(archive_) + ")");
    }
    std::string out;
    std::vector<char> buffer(1 << 16);
    for (;;) {
        const zip_int64_t n = zip_fread(file, buffer.data(), buffer.size());
        if (n < 0) {
            const std::string why = zip_file_strerror(file);
            zip_fclose(file);
            throw DocumentError(SkipReason::kBroken,
                                "broken: the entry " + entry + " is damaged (" + why + ")");
        }
        if (n == 0) break;
        out.append(buffer.data(), size_t(n));
        total_read_ += uint64_t(n);
        std::string over;
        if (out.size() > limits_.max_entry_bytes) {
            over = "the entry " + entry + " unpacks past " +
                   std::to_string(limits_.max_entry_bytes >> 20) + " MiB";
        } else if (total_read_ > limits_.max_total_bytes) {
            over =
                "the entries unpack past " + std::to_string(limits_.max_total_bytes >> 20) + " MiB";
        } else if (out.size() > kRatioFreeBytes && out.size() / limits_.max_ratio > packed) {
            over = "the entry " + entry + " unpacks to more than " +
                   std::to_string(limits_.max_ratio) + " times its packed size";
        }
        if (!over.empty()) {
            zip_fclose(file);
            bomb(over);
        }
    }
    zip_fclose(file);
    return out;
}

std::string ZipArchive::read_required(std::string_view name, std::string_view format) {
    std::optional<std::string> bytes = read(name);
    if (!bytes) {
        throw DocumentError(SkipReason::kBroken, "broken " + std::string(format) +
                                                     ": the archive has no " + std::string(name));
    }
    return std::move(*bytes);
}

std::string normalize_zip_path(std::string_view path) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t end = path.find('/', pos);
        if (end == std::string_view::npos) end = path.size();
        const std::string_view part = path.substr(pos, end - pos);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.emplace_back(part);
        }
        pos = end + 1;
    }
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
    return out;
}

std::string zip_folder(std::string_view name) {
    const size_t slash = name.rfind('/');
    return slash == std::string_view::npos ? "" : std::string(name.substr(0, slash + 1));
}

}  // namespace qe::documents
