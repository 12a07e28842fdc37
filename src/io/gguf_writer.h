// GGUF v3 (or v2) writer: metadata of every type, tensors padded to general.alignment.
// Used by the synthetic model maker and by tests that build good and corrupt files.
// Tensor data may be given up front or produced lazily at write time, one tensor at a time, so a
// model larger than memory can be streamed to disk.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "io/atomic_file.h"
#include "io/gguf.h"

namespace qe {

// Metadata value builders: gguf_value::u32(7), gguf_value::array(GgufType::STRING, {...}), ...
namespace gguf_value {
GgufValue u8(uint8_t v);
GgufValue i8(int8_t v);
GgufValue u16(uint16_t v);
GgufValue i16(int16_t v);
GgufValue u32(uint32_t v);
GgufValue i32(int32_t v);
GgufValue u64(uint64_t v);
GgufValue i64(int64_t v);
GgufValue f32(float v);
GgufValue f64(double v);
GgufValue boolean(bool v);
GgufValue str(std::string v);
GgufValue array(GgufType elem_type, std::vector<GgufValue> items);
GgufValue strings(const std::vector<std::string>& items);
GgufValue i32s(const std::vector<int32_t>& items);
GgufValue f32s(const std::vector<float>& items);
}  // namespace gguf_value

class GgufWriter {
  public:
    // Fills `out` with the tensor's bytes (exactly its nbytes) when the file is written.
    using Producer = std::function<void(std::vector<uint8_t>& out)>;

    explicit GgufWriter(uint32_t version = 3) : version_(version) {}

    // Adds a key, or replaces its value keeping its position. general.alignment (uint32) sets the
    // alignment of tensor data (default 32).
    void set(const std::string& key, GgufValue value);

    // `shape` is outermost first (as TensorView); it is written innermost first, as GGUF wants.
    void add_tensor(const std::string& name, DType dtype, std::vector<int64_t> shape,
                    std::vector<uint8_t> data);
    void add_tensor(const std::string& name, DType dtype, std::vector<int64_t> shape,
                    Producer produce);

    size_t tensor_count() const { return tensors_.size(); }

    std::vector<uint8_t> to_bytes() const;
    // Writes to path + ".tmp" and renames, so a reader never sees a half-written file.
    void write_file(const std::string& path) const;

  private:
    struct Tensor {
        std::string name;
        DType dtype;
        std::vector<int64_t> shape;
        size_t nbytes;
        Producer produce;
    };
    void write(const ByteSink& sink) const;
    uint64_t alignment() const;

    uint32_t version_;
    std::vector<std::pair<std::string, GgufValue>> metadata_;
    std::vector<Tensor> tensors_;
};

}  // namespace qe
