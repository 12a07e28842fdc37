// A cursor over untrusted bytes: every read is bounds-checked and every failure throws qe::Error
// naming the file, what was being read and the byte offset. Little-endian, as GGUF and safetensors.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/error.h"

namespace qe {

// a + b, or false when it would not fit in 64 bits.
inline bool checked_add(uint64_t a, uint64_t b, uint64_t* out) {
    return !__builtin_add_overflow(a, b, out);
}
inline bool checked_mul(uint64_t a, uint64_t b, uint64_t* out) {
    return !__builtin_mul_overflow(a, b, out);
}

class ByteReader {
  public:
    ByteReader(std::span<const uint8_t> bytes, const std::string& name)
        : bytes_(bytes), name_(name) {}

    uint64_t offset() const { return pos_; }
    uint64_t size() const { return bytes_.size(); }
    uint64_t remaining() const { return bytes_.size() - pos_; }
    const std::string& name() const { return name_; }

    // "NAME: MESSAGE (at byte OFFSET)"
    [[noreturn]] void fail(uint64_t at, const std::string& message) const {
        throw Error(name_ + ": " + message + " (at byte " + std::to_string(at) + ")");
    }

    // The next n bytes; `what` says what they are for the error message.
    std::span<const uint8_t> take(uint64_t n, std::string_view what) {
        if (n > remaining()) {
            fail(pos_, "file is truncated: " + std::string(what) + " needs " + std::to_string(n) +
                           " bytes but only " + std::to_string(remaining()) + " remain");
        }
        auto out = bytes_.subspan(pos_, n);
        pos_ += n;
        return out;
    }

    template <typename T>
    T scalar(std::string_view what) {
        static_assert(std::is_trivially_copyable_v<T>);
        T value;
        std::memcpy(&value, take(sizeof(T), what).data(), sizeof(T));
        if constexpr (std::endian::native == std::endian::big && sizeof(T) > 1) {
            value = byteswap_value(value);
        }
        return value;
    }

    uint8_t u8(std::string_view what) { return scalar<uint8_t>(what); }
    uint32_t u32(std::string_view what) { return scalar<uint32_t>(what); }
    uint64_t u64(std::string_view what) { return scalar<uint64_t>(what); }

  private:
    template <typename T>
    static T byteswap_value(T v) {
        unsigned char b[sizeof(T)];
        std::memcpy(b, &v, sizeof(T));
        for (size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(b[i], b[sizeof(T) - 1 - i]);
        std::memcpy(&v, b, sizeof(T));
        return v;
    }

    std::span<const uint8_t> bytes_;
    std::string name_;
    uint64_t pos_ = 0;
};

}  // namespace qe
