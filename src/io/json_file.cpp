#include "io/json_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "core/error.h"
#include "io/json_checked.h"

namespace qe {

namespace {

[[noreturn]] void too_large(const std::filesystem::path& path, const std::string& size,
                            uint64_t max_bytes) {
    throw Error(path.string() + ": " + size + " is larger than the " + std::to_string(max_bytes) +
                "-byte limit for a JSON file");
}

}  // namespace

// Read into memory rather than mapped: a file cut short while it is read (another program
// rewriting it) is then a parse error, where a mapping would fault past its new end.
nlohmann::json read_json_file(const std::filesystem::path& path, uint64_t max_bytes) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw Error(path.string() + ": cannot open: it is a folder, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path.string() + ": cannot open: " + std::strerror(errno));
    const uint64_t size = std::filesystem::file_size(path, ec);
    if (!ec && size > max_bytes) too_large(path, std::to_string(size) + " bytes", max_bytes);
    std::string text;
    char chunk[1 << 16];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
        text.append(chunk, size_t(in.gcount()));
        if (text.size() > max_bytes) too_large(path, "the file", max_bytes);  // it grew
    }
    return parse_json_checked(text, path.string());
}

}  // namespace qe
