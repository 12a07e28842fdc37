// Small zip archives built in the tests (DOCX, PPTX, XLSX and OFD fixtures) with libzip.
#pragma once

#include <zip.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace qe::test {

using ZipEntries = std::vector<std::pair<std::string, std::string>>;

// The bytes of an archive holding `entries`, deflated; with `password`, AES-encrypted.
inline std::string make_zip(const ZipEntries& entries, const char* password = nullptr) {
    const std::filesystem::path path =
        std::filesystem::path(QE_TEST_TMP_DIR) / ("fixture-" + std::to_string(::getpid()) + ".zip");
    int error = 0;
    zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
    if (!archive) return "";
    for (const auto& [name, bytes] : entries) {
        zip_source_t* source = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
        const zip_int64_t index = zip_file_add(archive, name.c_str(), source, ZIP_FL_OVERWRITE);
        zip_set_file_compression(archive, zip_uint64_t(index), ZIP_CM_DEFLATE, 9);
        if (password) {
            zip_file_set_encryption(archive, zip_uint64_t(index), ZIP_EM_AES_256, password);
        }
    }
    if (zip_close(archive) != 0) {
        zip_discard(archive);
        return "";
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream out;
    out << in.rdbuf();
    std::filesystem::remove(path);
    return out.str();
}

}  // namespace qe::test
