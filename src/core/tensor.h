// A view of one tensor inside a mapped model file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace qe {

struct TensorView {
    std::string name;
    DType dtype = DType::F32;
    // Row-major shape, outermost first, as PyTorch writes it: a linear layer's weight is
    // [out_features, in_features]. (GGUF stores dims innermost first; its reader reverses them.)
    std::vector<int64_t> shape;
    const void* data = nullptr;
    size_t nbytes = 0;

    int64_t rows() const;  // product of all dims but the last (1 for a vector)
    int64_t cols() const { return shape.empty() ? 1 : shape.back(); }
    int64_t elements() const;
};

inline int64_t TensorView::rows() const {
    int64_t r = 1;
    for (size_t i = 0; i + 1 < shape.size(); ++i) r *= shape[i];
    return r;
}

inline int64_t TensorView::elements() const {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

}  // namespace qe
