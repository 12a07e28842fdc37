#include "io/gguf_writer.h"

#include <bit>
#include <cstring>
#include <limits>
#include <memory>

#include "core/error.h"
#include "io/atomic_file.h"

namespace qe {

namespace gguf_value {
namespace {
GgufValue make(GgufType t, decltype(GgufValue::value) v) {
    GgufValue out;
    out.type = t;
    out.value = std::move(v);
    return out;
}
}  // namespace

GgufValue u8(uint8_t v) {
    return make(GgufType::UINT8, uint64_t(v));
}
GgufValue i8(int8_t v) {
    return make(GgufType::INT8, int64_t(v));
}
GgufValue u16(uint16_t v) {
    return make(GgufType::UINT16, uint64_t(v));
}
GgufValue i16(int16_t v) {
    return make(GgufType::INT16, int64_t(v));
}
GgufValue u32(uint32_t v) {
    return make(GgufType::UINT32, uint64_t(v));
}
GgufValue i32(int32_t v) {
    return make(GgufType::INT32, int64_t(v));
}
GgufValue u64(uint64_t v) {
    return make(GgufType::UINT64, v);
}
GgufValue i64(int64_t v) {
    return make(GgufType::INT64, v);
}
GgufValue f32(float v) {
    return make(GgufType::FLOAT32, double(v));
}
GgufValue f64(double v) {
    return make(GgufType::FLOAT64, v);
}
GgufValue boolean(bool v) {
    return make(GgufType::BOOL, v);
}
GgufValue str(std::string v) {
    return make(GgufType::STRING, std::move(v));
}

GgufValue array(GgufType elem_type, std::vector<GgufValue> items) {
    auto arr = std::make_shared<GgufArray>();
    arr->elem_type = elem_type;
    arr->items = std::move(items);
    return make(GgufType::ARRAY, std::move(arr));
}

GgufValue strings(const std::vector<std::string>& items) {
    std::vector<GgufValue> values;
    values.reserve(items.size());
    for (const auto& s : items) values.push_back(str(s));
    return array(GgufType::STRING, std::move(values));
}

GgufValue i32s(const std::vector<int32_t>& items) {
    std::vector<GgufValue> values;
    values.reserve(items.size());
    for (auto v : items) values.push_back(i32(v));
    return array(GgufType::INT32, std::move(values));
}

GgufValue f32s(const std::vector<float>& items) {
    std::vector<GgufValue> values;
    values.reserve(items.size());
    for (auto v : items) values.push_back(f32(v));
    return array(GgufType::FLOAT32, std::move(values));
}
}  // namespace gguf_value

namespace {

static_assert(std::endian::native == std::endian::little, "the writer emits host-order bytes");

[[noreturn]] void fail(const std::string& message) {
    throw Error("GGUF writer: " + message);
}

// Serialises values into a byte sink, checking that each value's variant matches its type.
class ValueEncoder {
  public:
    explicit ValueEncoder(std::vector<uint8_t>& out) : out_(out) {}

    // resize + memcpy rather than insert: g++ 12 warns falsely on small vector inserts.
    void put_bytes(const void* p, size_t n) {
        const size_t at = out_.size();
        out_.resize(at + n);
        if (n) std::memcpy(out_.data() + at, p, n);
    }
    template <typename T>
    void put(T v) {
        put_bytes(&v, sizeof(T));
    }
    void put_string(const std::string& s) {
        put<uint64_t>(s.size());
        put_bytes(s.data(), s.size());
    }

    void put_value(const std::string& key, const GgufValue& v) {
        switch (v.type) {
            case GgufType::UINT8:
                put<uint8_t>(unsigned_in_range(key, v, 0xff));
                break;
            case GgufType::UINT16:
                put<uint16_t>(unsigned_in_range(key, v, 0xffff));
                break;
            case GgufType::UINT32:
                put<uint32_t>(unsigned_in_range(key, v, 0xffffffffu));
                break;
            case GgufType::UINT64:
                put<uint64_t>(unsigned_in_range(key, v, std::numeric_limits<uint64_t>::max()));
                break;
            case GgufType::INT8:
                put<int8_t>(signed_in_range<int8_t>(key, v));
                break;
            case GgufType::INT16:
                put<int16_t>(signed_in_range<int16_t>(key, v));
                break;
            case GgufType::INT32:
                put<int32_t>(signed_in_range<int32_t>(key, v));
                break;
            case GgufType::INT64:
                put<int64_t>(signed_in_range<int64_t>(key, v));
                break;
            case GgufType::FLOAT32:
                put<float>(float(get<double>(key, v)));
                break;
            case GgufType::FLOAT64:
                put<double>(get<double>(key, v));
                break;
            case GgufType::BOOL:
                put<uint8_t>(get<bool>(key, v) ? 1 : 0);
                break;
            case GgufType::STRING:
                put_string(get<std::string>(key, v));
                break;
            case GgufType::ARRAY: {
                const auto& arr = get<std::shared_ptr<GgufArray>>(key, v);
                if (!arr) fail("array '" + key + "' is null");
                put<uint32_t>(uint32_t(arr->elem_type));
                put<uint64_t>(arr->items.size());
                for (const auto& item : arr->items) {
                    if (item.type != arr->elem_type) {
                        fail("array '" + key + "' of " + gguf_type_name(arr->elem_type) +
                             " holds a " + gguf_type_name(item.type));
                    }
                    put_value(key, item);
                }
                break;
            }
            default:
                fail("'" + key + "' has unknown type " + std::to_string(uint32_t(v.type)));
        }
    }

  private:
    template <typename T>
    static const T& get(const std::string& key, const GgufValue& v) {
        const T* p = std::get_if<T>(&v.value);
        if (!p) fail("value of '" + key + "' does not match its type " + gguf_type_name(v.type));
        return *p;
    }
    static uint64_t unsigned_in_range(const std::string& key, const GgufValue& v, uint64_t max) {
        const uint64_t x = get<uint64_t>(key, v);
        if (x > max) fail("value of '" + key + "' does not fit in " + gguf_type_name(v.type));
        return x;
    }
    template <typename T>
    static T signed_in_range(const std::string& key, const GgufValue& v) {
        const int64_t x = get<int64_t>(key, v);
        if (x < std::numeric_limits<T>::min() || x > std::numeric_limits<T>::max()) {
            fail("value of '" + key + "' does not fit in " + gguf_type_name(v.type));
        }
        return T(x);
    }

    std::vector<uint8_t>& out_;
};

uint64_t align_up(uint64_t x, uint64_t a) {
    return (x + a - 1) / a * a;
}

}  // namespace

void GgufWriter::set(const std::string& key, GgufValue value) {
    for (auto& [k, v] : metadata_) {
        if (k == key) {
            v = std::move(value);
            return;
        }
    }
    metadata_.emplace_back(key, std::move(value));
}

namespace {

// Validates a tensor's description and returns its byte size.
size_t checked_tensor_bytes(const std::string& name, DType dtype,
                            const std::vector<int64_t>& shape) {
    if (name.size() > 64) fail("tensor name '" + name + "' is longer than 64 bytes");
    if (shape.empty() || shape.size() > 4) fail("tensor '" + name + "' must have 1 to 4 dims");
    int64_t elements = 1;
    for (auto d : shape) {
        if (d <= 0) fail("tensor '" + name + "' has a non-positive dimension");
        if (__builtin_mul_overflow(elements, d, &elements)) fail("tensor '" + name + "' too big");
    }
    const auto row = row_bytes(dtype, shape.back());
    if (!row) {
        fail("tensor '" + name + "': rows of " + std::to_string(shape.back()) + " are not whole " +
             std::string(dtype_name(dtype)) + " blocks");
    }
    return *row * size_t(elements / shape.back());
}

}  // namespace

void GgufWriter::add_tensor(const std::string& name, DType dtype, std::vector<int64_t> shape,
                            std::vector<uint8_t> data) {
    const size_t expected = checked_tensor_bytes(name, dtype, shape);
    if (data.size() != expected) {
        fail("tensor '" + name + "' has " + std::to_string(data.size()) +
             " bytes of data, expected " + std::to_string(expected));
    }
    auto shared = std::make_shared<const std::vector<uint8_t>>(std::move(data));
    add_tensor(name, dtype, std::move(shape),
               [shared](std::vector<uint8_t>& out) { out = *shared; });
}

void GgufWriter::add_tensor(const std::string& name, DType dtype, std::vector<int64_t> shape,
                            Producer produce) {
    const size_t nbytes = checked_tensor_bytes(name, dtype, shape);
    for (const auto& t : tensors_)
        if (t.name == name) fail("duplicate tensor name '" + name + "'");
    tensors_.push_back({name, dtype, std::move(shape), nbytes, std::move(produce)});
}

uint64_t GgufWriter::alignment() const {
    for (const auto& [k, v] : metadata_) {
        if (k != "general.alignment") continue;
        const auto a = v.as_int();
        if (!a || *a <= 0 || (*a & (*a - 1)) != 0) {
            fail("general.alignment must be a non-zero power of two");
        }
        return uint64_t(*a);
    }
    return 32;
}

void GgufWriter::write(const ByteSink& sink) const {
    if (version_ != 2 && version_ != 3) fail("version must be 2 or 3");
    const uint64_t align = alignment();

    std::vector<uint8_t> header;
    ValueEncoder enc(header);
    enc.put<uint32_t>(0x46554747);  // "GGUF"
    enc.put<uint32_t>(version_);
    enc.put<uint64_t>(tensors_.size());
    enc.put<uint64_t>(metadata_.size());
    for (const auto& [key, value] : metadata_) {
        enc.put_string(key);
        enc.put<uint32_t>(uint32_t(value.type));
        enc.put_value(key, value);
    }
    uint64_t offset = 0;
    for (const auto& t : tensors_) {
        enc.put_string(t.name);
        enc.put<uint32_t>(uint32_t(t.shape.size()));
        for (size_t d = t.shape.size(); d-- > 0;) enc.put<uint64_t>(uint64_t(t.shape[d]));
        enc.put<uint32_t>(uint32_t(t.dtype));
        enc.put<uint64_t>(offset);
        offset = align_up(offset + t.nbytes, align);
    }
    header.resize(align_up(header.size(), align), 0);
    sink(header.data(), header.size());

    std::vector<uint8_t> data;
    const std::vector<uint8_t> zeros(align, 0);
    for (const auto& t : tensors_) {
        data.clear();
        t.produce(data);
        if (data.size() != t.nbytes) {
            fail("tensor '" + t.name + "' produced " + std::to_string(data.size()) +
                 " bytes, expected " + std::to_string(t.nbytes));
        }
        sink(data.data(), data.size());
        const uint64_t pad = align_up(t.nbytes, align) - t.nbytes;
        if (pad) sink(zeros.data(), pad);  // after the last tensor too, as llama.cpp writes
    }
}

std::vector<uint8_t> GgufWriter::to_bytes() const {
    std::vector<uint8_t> out;
    write([&](const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        out.insert(out.end(), b, b + n);
    });
    return out;
}

void GgufWriter::write_file(const std::string& path) const {
    write_file_atomically(path, [this](const ByteSink& sink) { write(sink); });
}

}  // namespace qe
