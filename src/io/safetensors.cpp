#include "io/safetensors.h"

#include <algorithm>
#include <array>
#include <limits>

#include "core/dtype.h"
#include "core/error.h"
#include "io/byte_reader.h"
#include "io/json_checked.h"

namespace qe {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxDims = 8;

// Every dtype the format defines, so an unsupported one gets a clearer message than an unknown.
constexpr std::array kOtherDtypes = {"F64",     "I64",     "I32",     "I16",  "I8",      "U64",
                                     "U32",     "U16",     "U8",      "BOOL", "F8_E4M3", "F8_E5M2",
                                     "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4",   "C64"};

class HeaderChecker {
  public:
    HeaderChecker(const std::string& file, uint64_t header_end, uint64_t data_size)
        : file_(file), header_end_(header_end), data_size_(data_size) {}

    [[noreturn]] void fail(const std::string& message) const {
        throw Error(file_ + ": " + message + " (in the JSON header, bytes 8.." +
                    std::to_string(header_end_) + ")");
    }

    uint64_t unsigned_int(const json& v, const std::string& what) const {
        if (v.is_number_unsigned()) return v.get<uint64_t>();
        if (v.is_number_integer() && v.get<int64_t>() >= 0) return uint64_t(v.get<int64_t>());
        fail(what + " must be a non-negative integer, not " + v.dump());
    }

    TensorView tensor(const std::string& name, const json& entry, uint64_t& begin,
                      uint64_t& end) const {
        const std::string label = "tensor '" + name + "'";
        if (!entry.is_object()) fail(label + " must be an object");
        for (const char* field : {"dtype", "shape", "data_offsets"}) {
            if (!entry.contains(field)) fail(label + " has no \"" + std::string(field) + "\"");
        }
        TensorView t;
        t.name = name;

        const json& dtype = entry["dtype"];
        if (!dtype.is_string()) fail(label + " dtype must be a string");
        const std::string dtype_name = dtype.get<std::string>();
        const auto dt = dtype_from_safetensors_name(dtype_name);
        if (!dt) {
            const bool known = std::find(kOtherDtypes.begin(), kOtherDtypes.end(), dtype_name) !=
                               kOtherDtypes.end();
            fail(label + (known ? " has unsupported dtype " : " has unknown dtype ") + dtype_name +
                 " (F32, F16 and BF16 are supported)");
        }
        t.dtype = *dt;

        const json& shape = entry["shape"];
        if (!shape.is_array()) fail(label + " shape must be an array");
        if (shape.size() > kMaxDims) fail(label + " has more than 8 dimensions");
        uint64_t elements = 1;
        for (const auto& d : shape) {
            const uint64_t dim = unsigned_int(d, label + " shape entry");
            if (dim > uint64_t(std::numeric_limits<int64_t>::max()) ||
                !checked_mul(elements, dim, &elements) ||
                elements > uint64_t(std::numeric_limits<int64_t>::max())) {
                fail(label + " has more elements than fit in 64 bits");
            }
            t.shape.push_back(int64_t(dim));
        }
        uint64_t nbytes = 0;
        if (!checked_mul(elements, dtype_info(t.dtype).block_bytes, &nbytes)) {
            fail(label + " byte size overflows");
        }
        t.nbytes = nbytes;

        const json& offsets = entry["data_offsets"];
        if (!offsets.is_array() || offsets.size() != 2) {
            fail(label + " data_offsets must be [begin, end]");
        }
        begin = unsigned_int(offsets[0], label + " data_offsets");
        end = unsigned_int(offsets[1], label + " data_offsets");
        const std::string range = "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
        if (end < begin) fail(label + " data_offsets " + range + " end before they begin");
        if (end > data_size_) {
            fail(label + " data_offsets " + range + " reach past the end of the data (" +
                 std::to_string(data_size_) + " bytes); the file is truncated or corrupt");
        }
        if (end - begin != nbytes) {
            fail(label + " data_offsets " + range + " hold " + std::to_string(end - begin) +
                 " bytes but " + dtype_name + " x " + shape.dump() + " needs " +
                 std::to_string(nbytes));
        }
        return t;
    }

  private:
    const std::string& file_;
    uint64_t header_end_;
    uint64_t data_size_;
};

}  // namespace

std::optional<DType> dtype_from_safetensors_name(std::string_view name) {
    if (name == "F32") return DType::F32;
    if (name == "F16") return DType::F16;
    if (name == "BF16") return DType::BF16;
    return std::nullopt;
}

std::string_view safetensors_dtype_name(DType t) {
    switch (t) {
        case DType::F32:
            return "F32";
        case DType::F16:
            return "F16";
        case DType::BF16:
            return "BF16";
        default:
            throw Error("safetensors cannot hold " + std::string(dtype_name(t)) + " tensors");
    }
}

const TensorView* SafetensorsFile::tensor(std::string_view name) const {
    for (const auto& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

SafetensorsFile parse_safetensors(std::span<const uint8_t> bytes, const std::string& name) {
    ByteReader in(bytes, name);
    const uint64_t header_len = in.u64("the header length");
    if (header_len > kSafetensorsMaxHeaderBytes) {
        in.fail(0, "header length " + std::to_string(header_len) + " exceeds the limit of " +
                       std::to_string(kSafetensorsMaxHeaderBytes) + " bytes (not a safetensors " +
                       "file, or corrupt)");
    }
    if (header_len > in.remaining()) {
        in.fail(0, "file is truncated: the header length is " + std::to_string(header_len) +
                       " but only " + std::to_string(in.remaining()) + " bytes follow");
    }
    const auto header_bytes = in.take(header_len, "the header");
    const std::string_view text(reinterpret_cast<const char*>(header_bytes.data()),
                                header_bytes.size());
    if (text.empty() || text.front() != '{') {
        in.fail(8, "the header does not start with '{' (not a safetensors file, or corrupt)");
    }
    const json header = parse_json_checked(text, name, 8);
    if (!header.is_object()) in.fail(8, "the header is not a JSON object");

    SafetensorsFile file;
    file.data_offset = 8 + header_len;
    const uint64_t data_size = in.remaining();
    HeaderChecker check(name, file.data_offset, data_size);

    struct Extent {
        uint64_t begin, end;
    };
    std::vector<std::pair<Extent, TensorView>> found;
    for (const auto& [key, entry] : header.items()) {
        if (key == "__metadata__") {
            if (!entry.is_object()) check.fail("__metadata__ must be an object");
            for (const auto& [k, v] : entry.items()) {
                if (!v.is_string()) check.fail("__metadata__ value of '" + k + "' is not a string");
                file.metadata.emplace(k, v.get<std::string>());
            }
            continue;
        }
        Extent e{};
        TensorView t = check.tensor(key, entry, e.begin, e.end);
        found.emplace_back(e, std::move(t));
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
        return a.first.begin != b.first.begin ? a.first.begin < b.first.begin
                                              : a.first.end < b.first.end;
    });
    for (size_t i = 1; i < found.size(); ++i) {
        if (found[i].first.begin < found[i - 1].first.end) {
            check.fail("tensor '" + found[i].second.name + "' data overlaps tensor '" +
                       found[i - 1].second.name + "' (absolute bytes " +
                       std::to_string(file.data_offset + found[i].first.begin) + " < " +
                       std::to_string(file.data_offset + found[i - 1].first.end) + ")");
        }
    }
    file.tensors.reserve(found.size());
    for (auto& [extent, t] : found) {
        t.data = bytes.data() + file.data_offset + extent.begin;
        file.tensors.push_back(std::move(t));
    }
    return file;
}

SafetensorsIndex parse_safetensors_index(std::string_view json_text, const std::string& name) {
    const json doc = parse_json_checked(json_text, name);
    auto fail = [&](const std::string& message) -> void { throw Error(name + ": " + message); };
    if (!doc.is_object()) fail("not a JSON object");
    if (!doc.contains("weight_map") || !doc["weight_map"].is_object()) {
        fail("has no \"weight_map\" object");
    }
    SafetensorsIndex index;
    for (const auto& [tensor, shard] : doc["weight_map"].items()) {
        if (!shard.is_string()) fail("weight_map entry '" + tensor + "' is not a string");
        const std::string file = shard.get<std::string>();
        if (file.empty() || file == "." || file == ".." ||
            file.find_first_of("/\\") != std::string::npos ||
            file.find('\0') != std::string::npos) {
            fail("weight_map entry '" + tensor + "' names \"" + file +
                 "\", which is not a plain file name in the model folder");
        }
        index.weight_map.emplace(tensor, file);
        index.shards.push_back(file);
    }
    if (index.weight_map.empty()) fail("weight_map is empty");
    std::sort(index.shards.begin(), index.shards.end());
    index.shards.erase(std::unique(index.shards.begin(), index.shards.end()), index.shards.end());
    return index;
}

}  // namespace qe
