#include "io/safetensors_writer.h"

#include <bit>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"

namespace qe {
namespace {

static_assert(std::endian::native == std::endian::little, "the writer emits host-order bytes");

[[noreturn]] void fail(const std::string& message) {
    throw Error("safetensors writer: " + message);
}

size_t checked_tensor_bytes(const std::string& name, DType dtype,
                            const std::vector<int64_t>& shape) {
    safetensors_dtype_name(dtype);  // throws for types safetensors cannot hold
    size_t elements = 1;
    for (auto d : shape) {
        if (d < 0) fail("tensor '" + name + "' has a negative dimension");
        if (__builtin_mul_overflow(elements, size_t(d), &elements)) fail("tensor too big");
    }
    return elements * dtype_info(dtype).block_bytes;
}

}  // namespace

void SafetensorsWriter::set_metadata(const std::string& key, const std::string& value) {
    metadata_[key] = value;
}

void SafetensorsWriter::add_tensor(const std::string& name, DType dtype, std::vector<int64_t> shape,
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

void SafetensorsWriter::add_tensor(const std::string& name, DType dtype, std::vector<int64_t> shape,
                                   Producer produce) {
    if (name.empty() || name == "__metadata__") fail("bad tensor name '" + name + "'");
    const size_t nbytes = checked_tensor_bytes(name, dtype, shape);
    for (const auto& t : tensors_)
        if (t.name == name) fail("duplicate tensor name '" + name + "'");
    tensors_.push_back({name, dtype, std::move(shape), nbytes, std::move(produce)});
}

void SafetensorsWriter::write(const ByteSink& sink) const {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata_.empty()) header["__metadata__"] = metadata_;
    uint64_t offset = 0;
    for (const auto& t : tensors_) {
        header[t.name] = {{"dtype", safetensors_dtype_name(t.dtype)},
                          {"shape", t.shape},
                          {"data_offsets", {offset, offset + t.nbytes}}};
        offset += t.nbytes;
    }
    std::string text = header.dump();
    text.resize((text.size() + 7) / 8 * 8, ' ');
    const uint64_t length = text.size();
    sink(&length, sizeof length);
    sink(text.data(), text.size());

    std::vector<uint8_t> data;
    for (const auto& t : tensors_) {
        data.clear();
        t.produce(data);
        if (data.size() != t.nbytes) {
            fail("tensor '" + t.name + "' produced " + std::to_string(data.size()) +
                 " bytes, expected " + std::to_string(t.nbytes));
        }
        sink(data.data(), data.size());
    }
}

std::vector<uint8_t> SafetensorsWriter::to_bytes() const {
    std::vector<uint8_t> out;
    write([&](const void* p, size_t n) {
        const size_t at = out.size();
        out.resize(at + n);
        if (n) std::memcpy(out.data() + at, p, n);
    });
    return out;
}

void SafetensorsWriter::write_file(const std::string& path) const {
    write_file_atomically(path, [this](const ByteSink& sink) { write(sink); });
}

}  // namespace qe
