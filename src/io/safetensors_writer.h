// safetensors writer (F32, F16, BF16): used by the synthetic model maker for Hugging Face folders
// and by tests. The header is padded with spaces so the data starts 8-byte aligned, as the
// reference implementation does; tensors are written in the order they were added.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "io/atomic_file.h"

namespace qe {

class SafetensorsWriter {
  public:
    // Fills `out` with the tensor's bytes (exactly its size) when the file is written.
    using Producer = std::function<void(std::vector<uint8_t>& out)>;

    void set_metadata(const std::string& key, const std::string& value);
    // `shape` is outermost first.
    void add_tensor(const std::string& name, DType dtype, std::vector<int64_t> shape,
                    std::vector<uint8_t> data);
    void add_tensor(const std::string& name, DType dtype, std::vector<int64_t> shape,
                    Producer produce);

    std::vector<uint8_t> to_bytes() const;
    // Writes to path + ".tmp" and renames.
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

    std::map<std::string, std::string> metadata_;
    std::vector<Tensor> tensors_;
};

}  // namespace qe
