// A fresh knowledge base file for a test: any earlier one of that name, with its WAL files, is
// removed first.
#pragma once

#include <filesystem>
#include <string>

namespace qe::test {

inline std::string fresh_knowledge_base(const std::string& name) {
    const std::filesystem::path dir = std::filesystem::path(QE_TEST_TMP_DIR) / "knowledge";
    std::filesystem::create_directories(dir);
    const std::filesystem::path p = dir / (name + ".sqlite");
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
    return p.string();
}

}  // namespace qe::test
