// safetensors reader: a pure parse over the bytes of a whole file (usually a MappedFile).
//
// Layout:
//   u64 N (little-endian) | N bytes of UTF-8 JSON (may be padded with spaces) | data
//   JSON: { "__metadata__": {string: string, ...},            (optional)
//           "NAME": {"dtype": "BF16", "shape": [d0, d1, ...],  (outermost first)
//                    "data_offsets": [begin, end]}, ... }      (relative to the data start)
//
// Checked like GGUF: the header length against the file, JSON syntax (with the offset of the
// error), duplicate keys, every field's type, dtypes, shapes whose element or byte counts overflow,
// data_offsets out of order or past the end, sizes that disagree with dtype x shape, and tensors
// that overlap. A bad file throws qe::Error naming the file, what is wrong and where.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.h"

namespace qe {

// The header is at most this long: real headers are a few MB at most, and the JSON document a
// header turns into takes several times its size in memory. (The reference implementation's
// limit is 100 MB.)
inline constexpr uint64_t kSafetensorsMaxHeaderBytes = 32ull << 20;

struct SafetensorsFile {
    std::map<std::string, std::string, std::less<>> metadata;  // "__metadata__"
    std::vector<TensorView> tensors;  // sorted by data offset; data points into the parsed bytes
    uint64_t data_offset = 0;         // absolute offset of the data section (8 + N)

    const TensorView* tensor(std::string_view name) const;
};

// F32, F16 and BF16; nullopt for every other safetensors dtype.
std::optional<DType> dtype_from_safetensors_name(std::string_view name);
// "F32", "F16", "BF16"; throws qe::Error for other types.
std::string_view safetensors_dtype_name(DType t);

// `name` is used in error messages (the file path).
SafetensorsFile parse_safetensors(std::span<const uint8_t> bytes, const std::string& name);

// model.safetensors.index.json: which shard file holds each tensor. Shard names are checked to be
// plain file names (no directories), so a hostile index cannot point outside the model folder.
struct SafetensorsIndex {
    std::map<std::string, std::string, std::less<>> weight_map;  // tensor name -> shard file name
    std::vector<std::string> shards;                             // distinct, sorted
};

SafetensorsIndex parse_safetensors_index(std::string_view json_text, const std::string& name);

}  // namespace qe
