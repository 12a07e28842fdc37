// GGUF v2/v3 reader: a pure parse over the bytes of a whole file (usually a MappedFile).
//
// Layout (little-endian):
//   u32 magic "GGUF" | u32 version (2 or 3) | u64 tensor_count | u64 metadata_kv_count
//   metadata_kv_count × { string key | u32 value_type | value }
//   tensor_count × { string name | u32 n_dims | n_dims × u64 ne (innermost first) | u32 ggml_type
//                    | u64 offset (relative to the data section, multiple of the alignment) }
//   padding to general.alignment (default 32) | data section
//   string = u64 length + bytes (no terminator); array = u32 elem_type + u64 count + elements.
//
// Every offset, size, count and length is checked against the file size with overflow-safe
// arithmetic; a bad file throws qe::Error naming the file, what is wrong and the byte offset.
// Besides truncation, parse_gguf rejects: a bad magic, versions other than 2 and 3, counts that
// the remaining bytes cannot hold, duplicate keys or tensor names, keys longer than 65535 bytes,
// tensor names longer than 64 bytes, arrays nested deeper than kGgufMaxArrayDepth, more than
// kGgufMaxMetadataValues values in all, bools other than 0/1, unknown value or tensor types,
// n_dims outside 1..4, zero dims, element counts or byte sizes that overflow, rows that are not
// whole blocks, a general.alignment that is not a non-zero power of two, tensor offsets that are
// misaligned, and tensor data that overlaps another tensor or reaches past the end of the file.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/tensor.h"

namespace qe {

enum class GgufType : uint32_t {
    UINT8 = 0,
    INT8 = 1,
    UINT16 = 2,
    INT16 = 3,
    UINT32 = 4,
    INT32 = 5,
    FLOAT32 = 6,
    BOOL = 7,
    STRING = 8,
    ARRAY = 9,
    UINT64 = 10,
    INT64 = 11,
    FLOAT64 = 12,
};

struct GgufArray;

// One metadata value. Integers of every width are widened (signed to int64, unsigned to uint64)
// but the original type is kept in GgufValue::type.
struct GgufValue {
    GgufType type = GgufType::UINT8;
    std::variant<uint64_t, int64_t, double, bool, std::string, std::shared_ptr<GgufArray>> value;

    // Lenient numeric access: any integer type converts when the value fits; nullopt otherwise.
    std::optional<int64_t> as_int() const;
    std::optional<double> as_float() const;  // floats and integers
    std::optional<bool> as_bool() const;     // BOOL only
    const std::string* as_string() const;
    const GgufArray* as_array() const;
};

struct GgufArray {
    GgufType elem_type = GgufType::UINT8;
    std::vector<GgufValue> items;  // nested arrays allowed
};

struct GgufFile {
    uint32_t version = 0;
    std::map<std::string, GgufValue, std::less<>> metadata;
    std::vector<std::string> metadata_order;  // keys in file order
    std::vector<TensorView> tensors;          // in file order; data points into the parsed bytes
    uint64_t alignment = 32;
    uint64_t data_offset = 0;  // absolute offset of the data section

    const GgufValue* find(std::string_view key) const;
    const TensorView* tensor(std::string_view name) const;
};

// Limits that keep a hostile file from making the parser recurse deeply or allocate far more
// memory than the file's own size (a u8 array item costs 1 byte on disk, a GgufValue in memory).
// Real models stay far below: Qwen2.5's vocabulary is about 455k values in all.
inline constexpr int kGgufMaxArrayDepth = 8;
inline constexpr uint64_t kGgufMaxMetadataValues = uint64_t(1) << 23;

// The human name of a metadata value type ("uint32", "string", ...); "type N" when unknown.
std::string gguf_type_name(GgufType t);

// `name` is used in error messages (the file path).
GgufFile parse_gguf(std::span<const uint8_t> bytes, const std::string& name);

}  // namespace qe
