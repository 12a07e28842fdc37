#include "model/matrices.h"

#include <algorithm>
#include <cassert>
#include <cstdint>

namespace qe {

Matrices prepare_row_matrices(const Weights& weights, const KernelTable& table,
                              int64_t output_slice_rows) {
    assert(output_slice_rows > 0 && output_slice_rows % 64 == 0);
    Matrices m;
    m.table = &table;
    m.layers.reserve(weights.layers.size());
    // A layer has either attention or Gated DeltaNet matrices (hybrid models); the absent ones
    // stay empty.
    auto optional = [](const TensorView& t) { return t.data ? make_row_matrix(t) : Matrix{}; };
    for (const LayerWeights& w : weights.layers) {
        LayerMatrices l;
        l.wq = optional(w.wq);
        l.wk = optional(w.wk);
        l.wv = optional(w.wv);
        l.wo = optional(w.wo);
        l.ssm_qkv = optional(w.ssm_qkv);
        l.ssm_z = optional(w.ssm_z);
        l.ssm_alpha = optional(w.ssm_alpha);
        l.ssm_beta = optional(w.ssm_beta);
        l.ssm_out = optional(w.ssm_out);
        l.w_gate = make_row_matrix(w.w_gate);
        l.w_up = make_row_matrix(w.w_up);
        l.w_down = make_row_matrix(w.w_down);
        m.layers.push_back(std::move(l));
    }
    // The output head, the largest matrix, in slices: while one is repacked only its rows of the
    // file are resident, not the whole head beside its copy.
    const TensorView& head = weights.output;
    const size_t head_row_bytes = *row_bytes(head.dtype, head.cols());
    m.output.slice_rows = output_slice_rows;
    m.output.rows = head.rows();
    m.output.cols = head.cols();
    for (int64_t r = 0; r < head.rows(); r += output_slice_rows) {
        const int64_t rows = std::min(output_slice_rows, head.rows() - r);
        m.output.slices.push_back(
            make_row_matrix({head.name,
                             head.dtype,
                             {rows, head.cols()},
                             static_cast<const uint8_t*>(head.data) + size_t(r) * head_row_bytes,
                             size_t(rows) * head_row_bytes}));
    }
    return m;
}

std::vector<Matrix*> all_matrices(Matrices& m) {
    std::vector<Matrix*> out;
    for (LayerMatrices& l : m.layers)
        for (Matrix* x : {&l.wq, &l.wk, &l.wv, &l.wo, &l.ssm_qkv, &l.ssm_z, &l.ssm_alpha,
                          &l.ssm_beta, &l.ssm_out, &l.w_gate, &l.w_up, &l.w_down})
            if (x->data) out.push_back(x);
    for (Matrix& s : m.output.slices) out.push_back(&s);
    return out;
}

Matrices prepare_matrices(const Weights& weights, const KernelTable& table, ThreadPool& pool,
                          bool release_file_pages, int64_t output_slice_rows) {
    Matrices m = prepare_row_matrices(weights, table, output_slice_rows);
    if (!table.pack) return m;
    const std::vector<Matrix*> jobs = all_matrices(m);
    pool.parallel_for(int64_t(jobs.size()), [&](int64_t i) {
        Matrix& matrix = *jobs[size_t(i)];
        table.pack(matrix);
        if (release_file_pages) release_source_pages(matrix);
    });
    return m;
}

}  // namespace qe
