#include "io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace qe {

namespace {

void fsync_path(const std::string& path, int flags, const char* what) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0) throw Error(path + ": cannot open to sync " + what + ": " + std::strerror(errno));
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    // Some file systems cannot sync a folder (EINVAL); the rename is still atomic there.
    if (rc != 0 && !(err == EINVAL && (flags & O_DIRECTORY))) {
        throw Error(path + ": cannot sync " + what + " to disk: " + std::strerror(err));
    }
}

}  // namespace

void publish_file(const std::string& tmp, const std::string& path) {
    fsync_path(tmp, O_RDONLY, "the file");
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw Error(path + ": cannot rename " + tmp + " to it: " + ec.message());
    std::string dir = std::filesystem::path(path).parent_path().string();
    fsync_path(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY, "the folder");
}

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
    try {
        publish_file(tmp, path);
    } catch (...) {
        std::remove(tmp.c_str());
        throw;
    }
}

}  // namespace qe
