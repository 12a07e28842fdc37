#include "io/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace qe {

void write_file_atomically(const std::string& path,
                           const std::function<void(const ByteSink&)>& write) {
    const std::string tmp = path + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw Error(tmp + ": cannot create: " + std::strerror(errno));
    try {
        write([&](const void* p, size_t n) {
            if (n && std::fwrite(p, 1, n, f) != n) {
                throw Error(tmp + ": write failed: " + std::strerror(errno));
            }
        });
    } catch (...) {
        std::fclose(f);
        std::remove(tmp.c_str());
        throw;
    }
    if (std::fclose(f) != 0) {
        const int err = errno;
        std::remove(tmp.c_str());
        throw Error(tmp + ": write failed: " + std::strerror(err));
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw Error(path + ": cannot rename " + tmp + " to it: " + ec.message());
    }
}

}  // namespace qe
