// Hand-assembles little-endian bytes for tests that need files no writer would produce.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace qe::test {

class ByteBuilder {
  public:
    template <typename T>
    ByteBuilder& put(T v) {
        const size_t at = bytes_.size();
        bytes_.resize(at + sizeof(T));
        std::memcpy(bytes_.data() + at, &v, sizeof(T));
        return *this;
    }
    ByteBuilder& u8(uint8_t v) { return put(v); }
    ByteBuilder& u32(uint32_t v) { return put(v); }
    ByteBuilder& u64(uint64_t v) { return put(v); }
    ByteBuilder& raw(std::string_view s) {
        bytes_.insert(bytes_.end(), s.begin(), s.end());
        return *this;
    }
    // A GGUF string: u64 length + bytes.
    ByteBuilder& str(std::string_view s) {
        u64(s.size());
        return raw(s);
    }
    ByteBuilder& zeros(size_t n) {
        bytes_.resize(bytes_.size() + n, 0);
        return *this;
    }
    ByteBuilder& pad_to(size_t alignment) {
        while (bytes_.size() % alignment) bytes_.push_back(0);
        return *this;
    }
    size_t size() const { return bytes_.size(); }
    const std::vector<uint8_t>& bytes() const { return bytes_; }

  private:
    std::vector<uint8_t> bytes_;
};

}  // namespace qe::test
