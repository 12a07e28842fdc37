#include "model/matrices.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <utility>

namespace qe {
namespace {

// Drops this process's mapping of the whole pages inside [data, data + n) (best effort). The
// file's pages stay in the page cache, and a later read maps them in again.
void release_pages(const void* data, size_t n) {
    static const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
    const uintptr_t begin = (uintptr_t(data) + page - 1) & ~(page - 1);
    const uintptr_t end = (uintptr_t(data) + n) & ~(page - 1);
    if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace

Matrices prepare_matrices(const Weights& weights, const KernelTable& table, ThreadPool& pool,
                          bool release_file_pages, int64_t output_slice_rows) {
    assert(output_slice_rows > 0 && output_slice_rows % 64 == 0);
    Matrices m;
    m.table = &table;
    m.layers.resize(weights.layers.size());
    std::vector<std::pair<const TensorView*, Matrix*>> jobs;
    for (size_t l = 0; l < weights.layers.size(); ++l) {
        const LayerWeights& w = weights.layers[l];
        LayerMatrices& out = m.layers[l];
        jobs.insert(jobs.end(), {{&w.wq, &out.wq},
                                 {&w.wk, &out.wk},
                                 {&w.wv, &out.wv},
                                 {&w.wo, &out.wo},
                                 {&w.w_gate, &out.w_gate},
                                 {&w.w_up, &out.w_up},
                                 {&w.w_down, &out.w_down}});
    }
    // The output head, the largest matrix, in slices: while one is repacked only its rows of the
    // file are resident, not the whole head beside its copy.
    const TensorView& head = weights.output;
    const size_t head_row_bytes = *row_bytes(head.dtype, head.cols());
    std::vector<TensorView> head_slices;
    for (int64_t r = 0; r < head.rows(); r += output_slice_rows) {
        const int64_t rows = std::min(output_slice_rows, head.rows() - r);
        head_slices.push_back({head.name,
                               head.dtype,
                               {rows, head.cols()},
                               static_cast<const uint8_t*>(head.data) + size_t(r) * head_row_bytes,
                               size_t(rows) * head_row_bytes});
    }
    m.output.slices.resize(head_slices.size());
    m.output.slice_rows = output_slice_rows;
    m.output.rows = head.rows();
    m.output.cols = head.cols();
    for (size_t i = 0; i < head_slices.size(); ++i)
        jobs.push_back({&head_slices[i], &m.output.slices[i]});
    pool.parallel_for(int64_t(jobs.size()), [&](int64_t i) {
        const auto [tensor, matrix] = jobs[size_t(i)];
        *matrix = make_matrix_for(table, *tensor);
        if (release_file_pages && matrix->layout != kLayoutRows)
            release_pages(tensor->data, tensor->nbytes);
    });
    return m;
}

}  // namespace qe
