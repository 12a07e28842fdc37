#include "io/gguf.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "core/dtype.h"
#include "io/byte_reader.h"

namespace qe {
namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read as a little-endian u32
constexpr uint32_t kMaxDims = 4;
constexpr uint64_t kMaxKeyLength = 65535;  // the spec's limit
constexpr uint64_t kMaxTensorNameLength = 64;
constexpr uint64_t kDefaultAlignment = 32;

// Smallest encodings, used to bound counts by the bytes left before anything is reserved.
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;                  // empty key, type, 1-byte value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;  // empty name, 1 dim, type, offset

// Bytes of one fixed-size value; 0 for strings and arrays (variable size).
uint64_t fixed_size(GgufType t) {
    switch (t) {
        case GgufType::UINT8:
        case GgufType::INT8:
        case GgufType::BOOL:
            return 1;
        case GgufType::UINT16:
        case GgufType::INT16:
            return 2;
        case GgufType::UINT32:
        case GgufType::INT32:
        case GgufType::FLOAT32:
            return 4;
        case GgufType::UINT64:
        case GgufType::INT64:
        case GgufType::FLOAT64:
            return 8;
        case GgufType::STRING:
        case GgufType::ARRAY:
            return 0;
    }
    return 0;
}

bool known_type(uint32_t t) {
    return t <= uint32_t(GgufType::FLOAT64);
}

// Smallest encoded size of one value of type t (for bounding array counts).
uint64_t min_encoded_size(GgufType t) {
    if (t == GgufType::STRING) return 8;
    if (t == GgufType::ARRAY) return 4 + 8;
    return fixed_size(t);
}

class Parser {
  public:
    Parser(std::span<const uint8_t> bytes, const std::string& name)
        : in_(bytes, name), base_(bytes.data()) {}

    GgufFile parse() {
        GgufFile file;
        read_header(file);
        read_metadata(file);
        read_alignment(file);
        std::vector<uint64_t> info_offsets;
        std::vector<uint64_t> relative_offsets;
        read_tensor_infos(file, info_offsets, relative_offsets);
        place_tensor_data(file, info_offsets, relative_offsets);
        return file;
    }

  private:
    void read_header(GgufFile& file) {
        const uint32_t magic = in_.u32("the magic number");
        if (magic != kMagic) {
            char hex[16];
            std::snprintf(hex, sizeof hex, "0x%08x", magic);
            in_.fail(0, std::string("bad magic ") + hex + ": not a GGUF file (expected \"GGUF\")");
        }
        const uint64_t version_at = in_.offset();
        file.version = in_.u32("the version");
        if (file.version == 0x03000000u || file.version == 0x02000000u) {
            in_.fail(version_at, "big-endian GGUF files are not supported");
        }
        if (file.version == 1) {
            in_.fail(version_at,
                     "GGUF version 1 is not supported (re-convert the model: v2 and v3 are)");
        }
        if (file.version != 2 && file.version != 3) {
            in_.fail(version_at, "unknown GGUF version " + std::to_string(file.version) +
                                     " (versions 2 and 3 are supported)");
        }
        tensor_count_at_ = in_.offset();
        tensor_count_ = in_.u64("the tensor count");
        kv_count_at_ = in_.offset();
        kv_count_ = in_.u64("the metadata count");
        // Each entry has a minimum size, so a count the remaining bytes can't hold is corrupt.
        if (kv_count_ > in_.remaining() / kMinKvBytes) {
            in_.fail(kv_count_at_, "file is truncated or corrupt: metadata count " +
                                       std::to_string(kv_count_) + " cannot fit in the " +
                                       std::to_string(in_.remaining()) + " bytes left");
        }
        if (tensor_count_ > in_.remaining() / kMinTensorInfoBytes) {
            in_.fail(tensor_count_at_, "file is truncated or corrupt: tensor count " +
                                           std::to_string(tensor_count_) + " cannot fit in the " +
                                           std::to_string(in_.remaining()) + " bytes left");
        }
    }

    std::string read_string(std::string_view what, uint64_t max_length) {
        const uint64_t at = in_.offset();
        const uint64_t length = in_.u64(std::string(what) + " length");
        if (length > max_length) {
            in_.fail(at, std::string(what) + " length " + std::to_string(length) +
                             " exceeds the limit of " + std::to_string(max_length));
        }
        if (length > in_.remaining()) {
            in_.fail(at, "file is truncated: " + std::string(what) + " of " +
                             std::to_string(length) + " bytes but only " +
                             std::to_string(in_.remaining()) + " remain");
        }
        auto bytes = in_.take(length, what);
        return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    }

    void count_value(uint64_t at) {
        if (++values_ > kGgufMaxMetadataValues) {
            in_.fail(at, "metadata holds more than " + std::to_string(kGgufMaxMetadataValues) +
                             " values; refusing to load it");
        }
    }

    GgufValue read_value(GgufType type, const std::string& key, int depth) {
        const uint64_t at = in_.offset();
        count_value(at);
        GgufValue v;
        v.type = type;
        const std::string what = "value of '" + key + "'";
        switch (type) {
            case GgufType::UINT8:
                v.value = uint64_t(in_.scalar<uint8_t>(what));
                break;
            case GgufType::INT8:
                v.value = int64_t(in_.scalar<int8_t>(what));
                break;
            case GgufType::UINT16:
                v.value = uint64_t(in_.scalar<uint16_t>(what));
                break;
            case GgufType::INT16:
                v.value = int64_t(in_.scalar<int16_t>(what));
                break;
            case GgufType::UINT32:
                v.value = uint64_t(in_.scalar<uint32_t>(what));
                break;
            case GgufType::INT32:
                v.value = int64_t(in_.scalar<int32_t>(what));
                break;
            case GgufType::UINT64:
                v.value = uint64_t(in_.scalar<uint64_t>(what));
                break;
            case GgufType::INT64:
                v.value = int64_t(in_.scalar<int64_t>(what));
                break;
            case GgufType::FLOAT32:
                v.value = double(in_.scalar<float>(what));
                break;
            case GgufType::FLOAT64:
                v.value = in_.scalar<double>(what);
                break;
            case GgufType::BOOL: {
                const uint8_t b = in_.u8(what);
                if (b > 1) {
                    in_.fail(at, "bool " + what + " is " + std::to_string(b) + ", not 0 or 1");
                }
                v.value = b == 1;
                break;
            }
            case GgufType::STRING:
                v.value = read_string("string " + what, std::numeric_limits<uint64_t>::max());
                break;
            case GgufType::ARRAY:
                v.value = read_array(key, depth + 1);
                break;
        }
        return v;
    }

    std::shared_ptr<GgufArray> read_array(const std::string& key, int depth) {
        const uint64_t at = in_.offset();
        if (depth > kGgufMaxArrayDepth) {
            in_.fail(at, "arrays in '" + key + "' are nested deeper than " +
                             std::to_string(kGgufMaxArrayDepth) + " levels");
        }
        const uint32_t elem = in_.u32("element type of array '" + key + "'");
        if (!known_type(elem)) {
            in_.fail(at, "array '" + key + "' has unknown element type " + std::to_string(elem));
        }
        auto arr = std::make_shared<GgufArray>();
        arr->elem_type = GgufType(elem);
        const uint64_t count_at = in_.offset();
        const uint64_t count = in_.u64("element count of array '" + key + "'");
        const uint64_t min_size = min_encoded_size(arr->elem_type);
        if (count > in_.remaining() / min_size) {
            in_.fail(count_at, "file is truncated or corrupt: array '" + key + "' claims " +
                                   std::to_string(count) + " " + gguf_type_name(arr->elem_type) +
                                   " elements but only " + std::to_string(in_.remaining()) +
                                   " bytes are left");
        }
        if (count > kGgufMaxMetadataValues - std::min(values_, kGgufMaxMetadataValues)) {
            in_.fail(count_at, "array '" + key + "' has " + std::to_string(count) +
                                   " elements: more than the metadata limit of " +
                                   std::to_string(kGgufMaxMetadataValues) + " values");
        }
        arr->items.reserve(count);
        for (uint64_t i = 0; i < count; ++i) {
            arr->items.push_back(read_value(arr->elem_type, key, depth));
        }
        return arr;
    }

    void read_metadata(GgufFile& file) {
        file.metadata_order.reserve(kv_count_);
        for (uint64_t i = 0; i < kv_count_; ++i) {
            const uint64_t at = in_.offset();
            std::string key = read_string("metadata key", kMaxKeyLength);
            if (key.empty()) in_.fail(at, "metadata key " + std::to_string(i) + " is empty");
            if (file.metadata.count(key)) in_.fail(at, "duplicate metadata key '" + key + "'");
            const uint64_t type_at = in_.offset();
            const uint32_t type = in_.u32("type of '" + key + "'");
            if (!known_type(type)) {
                in_.fail(type_at,
                         "metadata '" + key + "' has unknown value type " + std::to_string(type));
            }
            GgufValue value = read_value(GgufType(type), key, 0);
            file.metadata_order.push_back(key);
            file.metadata.emplace(std::move(key), std::move(value));
            key_offsets_.emplace(file.metadata_order.back(), at);
        }
    }

    void read_alignment(GgufFile& file) {
        file.alignment = kDefaultAlignment;
        const auto it = file.metadata.find(std::string_view("general.alignment"));
        if (it == file.metadata.end()) return;
        const uint64_t at = key_offsets_.find(std::string_view("general.alignment"))->second;
        const auto value = it->second.as_int();
        if (!value || *value <= 0 || (*value & (*value - 1)) != 0) {
            in_.fail(at, "general.alignment must be a non-zero power of two" +
                             (value ? ", not " + std::to_string(*value)
                                    : ", not a " + gguf_type_name(it->second.type)));
        }
        file.alignment = uint64_t(*value);
    }

    void read_tensor_infos(GgufFile& file, std::vector<uint64_t>& info_offsets,
                           std::vector<uint64_t>& relative_offsets) {
        file.tensors.reserve(tensor_count_);
        info_offsets.reserve(tensor_count_);
        relative_offsets.reserve(tensor_count_);
        std::map<std::string_view, uint64_t> seen;  // name -> its info's offset
        for (uint64_t i = 0; i < tensor_count_; ++i) {
            const uint64_t at = in_.offset();
            TensorView t;
            t.name = read_string("tensor name", kMaxTensorNameLength);
            const std::string label = "tensor '" + t.name + "'";

            const uint64_t dims_at = in_.offset();
            const uint32_t n_dims = in_.u32("n_dims of " + label);
            if (n_dims < 1 || n_dims > kMaxDims) {
                in_.fail(dims_at, label + " has " + std::to_string(n_dims) +
                                      " dimensions (1 to 4 are allowed)");
            }
            uint64_t ne[kMaxDims] = {};  // innermost first, as stored
            uint64_t elements = 1;
            for (uint32_t d = 0; d < n_dims; ++d) {
                const uint64_t dim_at = in_.offset();
                ne[d] = in_.u64("dimension of " + label);
                if (ne[d] == 0 || ne[d] > uint64_t(std::numeric_limits<int64_t>::max())) {
                    in_.fail(dim_at, label + " has dimension " + std::to_string(d) + " = " +
                                         std::to_string(int64_t(ne[d])) + " (must be positive)");
                }
                if (!checked_mul(elements, ne[d], &elements) ||
                    elements > uint64_t(std::numeric_limits<int64_t>::max())) {
                    in_.fail(dim_at, label + " has more elements than fit in 64 bits");
                }
            }
            const uint64_t type_at = in_.offset();
            const uint32_t type_id = in_.u32("type of " + label);
            const DTypeInfo* info = dtype_info(type_id);
            if (!info) {
                in_.fail(type_at, label + " has unknown tensor type id " + std::to_string(type_id));
            }
            t.dtype = info->type;
            if (ne[0] % uint64_t(info->block_elems) != 0) {
                in_.fail(type_at, label + " has rows of " + std::to_string(ne[0]) +
                                      " elements, not a whole number of " +
                                      std::string(info->name) + " blocks of " +
                                      std::to_string(info->block_elems));
            }
            uint64_t nbytes = 0;
            if (!checked_mul(elements / uint64_t(info->block_elems), info->block_bytes, &nbytes)) {
                in_.fail(type_at, label + " is too large: its byte size overflows");
            }
            t.nbytes = nbytes;
            const uint64_t offset_at = in_.offset();
            const uint64_t offset = in_.u64("data offset of " + label);
            if (offset % file.alignment != 0) {
                in_.fail(offset_at, label + " data offset " + std::to_string(offset) +
                                        " is not a multiple of the alignment " +
                                        std::to_string(file.alignment));
            }
            t.shape.assign(n_dims, 0);
            for (uint32_t d = 0; d < n_dims; ++d) t.shape[n_dims - 1 - d] = int64_t(ne[d]);

            file.tensors.push_back(std::move(t));
            info_offsets.push_back(at);
            relative_offsets.push_back(offset);
        }
        // Names are checked once all are read: the map keys view the strings in file.tensors,
        // which no longer move.
        for (size_t i = 0; i < file.tensors.size(); ++i) {
            const auto [it, inserted] = seen.emplace(file.tensors[i].name, info_offsets[i]);
            if (!inserted) {
                in_.fail(info_offsets[i], "duplicate tensor name '" + file.tensors[i].name +
                                              "' (first at byte " + std::to_string(it->second) +
                                              ")");
            }
        }
    }

    void place_tensor_data(GgufFile& file, const std::vector<uint64_t>& info_offsets,
                           const std::vector<uint64_t>& relative_offsets) {
        const uint64_t header_end = in_.offset();
        uint64_t data_offset = 0;
        if (!checked_add(header_end, file.alignment - 1, &data_offset)) {
            in_.fail(header_end, "alignment " + std::to_string(file.alignment) + " overflows");
        }
        data_offset -= data_offset % file.alignment;
        file.data_offset = data_offset;
        if (file.tensors.empty()) return;  // e.g. a vocabulary-only file: no data section needed
        if (data_offset > in_.size()) {
            in_.fail(header_end, "file is truncated: the data section starts at byte " +
                                     std::to_string(data_offset) + " but the file has " +
                                     std::to_string(in_.size()) + " bytes");
        }
        struct Extent {
            uint64_t begin, end;
            size_t index;
        };
        std::vector<Extent> extents;
        extents.reserve(file.tensors.size());
        for (size_t i = 0; i < file.tensors.size(); ++i) {
            auto& t = file.tensors[i];
            uint64_t begin = 0, end = 0;
            if (!checked_add(data_offset, relative_offsets[i], &begin) ||
                !checked_add(begin, t.nbytes, &end) || end > in_.size()) {
                in_.fail(info_offsets[i],
                         "tensor '" + t.name + "' data (offset " +
                             std::to_string(relative_offsets[i]) + ", " + std::to_string(t.nbytes) +
                             " bytes) reaches past the end of the " + "file (" +
                             std::to_string(in_.size() - data_offset) + " bytes of data)");
            }
            extents.push_back({begin, end, i});
        }
        std::sort(extents.begin(), extents.end(),
                  [](const Extent& a, const Extent& b) { return a.begin < b.begin; });
        for (size_t k = 1; k < extents.size(); ++k) {
            if (extents[k].begin < extents[k - 1].end) {
                const auto& a = file.tensors[extents[k - 1].index];
                const auto& b = file.tensors[extents[k].index];
                in_.fail(info_offsets[extents[k].index],
                         "tensor '" + b.name + "' data overlaps tensor '" + a.name + "' (bytes " +
                             std::to_string(extents[k].begin) + " < " +
                             std::to_string(extents[k - 1].end) + ")");
            }
        }
        for (const auto& e : extents) file.tensors[e.index].data = base_ + e.begin;
    }

    ByteReader in_;
    const uint8_t* base_;
    uint64_t tensor_count_ = 0, tensor_count_at_ = 0;
    uint64_t kv_count_ = 0, kv_count_at_ = 0;
    uint64_t values_ = 0;
    std::map<std::string, uint64_t, std::less<>> key_offsets_;  // key -> offset of its entry
};

}  // namespace

std::string gguf_type_name(GgufType t) {
    switch (t) {
        case GgufType::UINT8:
            return "uint8";
        case GgufType::INT8:
            return "int8";
        case GgufType::UINT16:
            return "uint16";
        case GgufType::INT16:
            return "int16";
        case GgufType::UINT32:
            return "uint32";
        case GgufType::INT32:
            return "int32";
        case GgufType::FLOAT32:
            return "float32";
        case GgufType::BOOL:
            return "bool";
        case GgufType::STRING:
            return "string";
        case GgufType::ARRAY:
            return "array";
        case GgufType::UINT64:
            return "uint64";
        case GgufType::INT64:
            return "int64";
        case GgufType::FLOAT64:
            return "float64";
    }
    return "type " + std::to_string(uint32_t(t));
}

std::optional<int64_t> GgufValue::as_int() const {
    if (const auto* u = std::get_if<uint64_t>(&value)) {
        if (*u > uint64_t(std::numeric_limits<int64_t>::max())) return std::nullopt;
        return int64_t(*u);
    }
    if (const auto* s = std::get_if<int64_t>(&value)) return *s;
    return std::nullopt;
}

std::optional<double> GgufValue::as_float() const {
    if (const auto* d = std::get_if<double>(&value)) return *d;
    if (const auto* u = std::get_if<uint64_t>(&value)) return double(*u);
    if (const auto* s = std::get_if<int64_t>(&value)) return double(*s);
    return std::nullopt;
}

std::optional<bool> GgufValue::as_bool() const {
    if (const auto* b = std::get_if<bool>(&value)) return *b;
    return std::nullopt;
}

const std::string* GgufValue::as_string() const {
    return std::get_if<std::string>(&value);
}

const GgufArray* GgufValue::as_array() const {
    const auto* p = std::get_if<std::shared_ptr<GgufArray>>(&value);
    return p ? p->get() : nullptr;
}

const GgufValue* GgufFile::find(std::string_view key) const {
    const auto it = metadata.find(key);
    return it == metadata.end() ? nullptr : &it->second;
}

const TensorView* GgufFile::tensor(std::string_view name) const {
    for (const auto& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

GgufFile parse_gguf(std::span<const uint8_t> bytes, const std::string& name) {
    return Parser(bytes, name).parse();
}

}  // namespace qe
