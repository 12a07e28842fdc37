#include "model/activation_dump.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/error.h"

namespace qe {

ActivationDump::ActivationDump(std::string folder) : folder_(std::move(folder)) {
    std::error_code ec;
    std::filesystem::create_directories(folder_, ec);
    if (ec) throw Error("activation dump: cannot create folder " + folder_ + ": " + ec.message());
}

std::unique_ptr<ActivationDump> ActivationDump::from_env() {
    const char* folder = std::getenv("QE_DUMP");
    if (!folder || !*folder) return nullptr;
    return std::make_unique<ActivationDump>(folder);
}

void ActivationDump::write(std::string_view name, int start_pos, const float* data, int rows,
                           int cols) const {
    const std::string path =
        folder_ + "/" + std::string(name) + "@" + std::to_string(start_pos) + ".f32";
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw Error("activation dump: cannot write " + path + ": " + std::strerror(errno));
    const size_t n = size_t(rows) * size_t(cols);
    const bool ok = std::fwrite(data, sizeof(float), n, f) == n;
    if (std::fclose(f) != 0 || !ok) throw Error("activation dump: write failed: " + path);

    const std::string index = folder_ + "/index.txt";
    FILE* idx = std::fopen(index.c_str(), "a");
    if (!idx)
        throw Error("activation dump: cannot append to " + index + ": " + std::strerror(errno));
    std::fprintf(idx, "%.*s %d %d %d\n", int(name.size()), name.data(), start_pos, rows, cols);
    std::fclose(idx);
}

}  // namespace qe
