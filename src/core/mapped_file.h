// A read-only memory mapping of a whole file. Weights are used in place, never copied at load.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace qe {

class MappedFile {
  public:
    // Throws qe::Error naming the path and the system's reason.
    explicit MappedFile(const std::string& path);
    ~MappedFile();
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::span<const uint8_t> bytes() const { return {data_, size_}; }
    const std::string& path() const { return path_; }

    // Ask the kernel to read the whole file ahead (best effort).
    void prefetch() const;

  private:
    std::string path_;
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
};

}  // namespace qe
