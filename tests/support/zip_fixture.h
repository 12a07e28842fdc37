// Small zip archives built in memory with libzip: the DOCX, PPTX, XLSX and OFD fixtures of the
// tests and the archives the fuzz targets wrap their input in.
#pragma once

#include <zip.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qe::test {

using ZipEntries = std::vector<std::pair<std::string, std::string>>;

// The bytes of an archive holding `entries` (deflated, or stored when `deflate` is false; with
// `password`, AES-encrypted); "" if libzip fails.
inline std::string make_zip(const ZipEntries& entries, const char* password = nullptr,
                            bool deflate = true) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
    zip_t* archive = buffer ? zip_open_from_source(buffer, ZIP_TRUNCATE, &error) : nullptr;
    zip_error_fini(&error);
    if (!archive) {
        if (buffer) zip_source_free(buffer);
        return "";
    }
    zip_source_keep(buffer);  // zip_close() writes into it; it is read below
    for (const auto& [name, bytes] : entries) {
        zip_source_t* source = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
        const zip_int64_t index = zip_file_add(archive, name.c_str(), source, ZIP_FL_OVERWRITE);
        if (index < 0) {
            zip_source_free(source);
            continue;
        }
        zip_set_file_compression(archive, zip_uint64_t(index),
                                 deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, deflate ? 9 : 0);
        if (password) {
            zip_file_set_encryption(archive, zip_uint64_t(index), ZIP_EM_AES_256, password);
        }
    }
    std::string out;
    if (zip_close(archive) != 0) {
        zip_discard(archive);
    } else if (zip_source_open(buffer) == 0) {
        char chunk[8192];
        for (zip_int64_t n; (n = zip_source_read(buffer, chunk, sizeof chunk)) > 0;) {
            out.append(chunk, size_t(n));
        }
        zip_source_close(buffer);
    }
    zip_source_free(buffer);
    return out;
}

}  // namespace qe::test
