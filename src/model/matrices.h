// The weight matrices as one kernel table reads them. A table may repack a matrix at load into a
// faster layout (a copy of the same size); when the weights are read-only file mappings, the
// file's pages of a repacked matrix are then handed back to the kernel (they stay in the page
// cache), so memory holds one copy, not two. Built once per model and table, shared by sessions.
// The repacking can also run later, in the background (see matrix_repacker.h): the matrices in
// the file's row layout are usable at once.
#pragma once

#include <vector>

#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "model/matmul.h"
#include "model/weights.h"

namespace qe {

// The matrices of LayerWeights (see there); a layer's kind leaves the other kind's empty.
struct LayerMatrices {
    Matrix wq;         // [n_heads * head_dim (x 2 with the output gate), dim]
    Matrix wk;         // [n_kv_heads * head_dim, dim]
    Matrix wv;         // [n_kv_heads * head_dim, dim]
    Matrix wo;         // [dim, n_heads * head_dim]
    Matrix ssm_qkv;    // [ssm_conv_dim, dim]   Gated DeltaNet layers
    Matrix ssm_z;      // [ssm_v_dim, dim]
    Matrix ssm_alpha;  // [ssm_v_heads, dim]
    Matrix ssm_beta;   // [ssm_v_heads, dim]
    Matrix ssm_out;    // [dim, ssm_v_dim]
    Matrix w_gate;     // [ffn_dim, dim]
    Matrix w_up;       // [ffn_dim, dim]
    Matrix w_down;     // [dim, ffn_dim]
};

struct Matrices {
    const KernelTable* table = nullptr;  // the kernels these were prepared for
    std::vector<LayerMatrices> layers;   // [n_layers]
    SlicedMatrix output;                 // [vocab_size, dim] in slices (prepared one at a time)
};

// Prepares every matrix for `table`, spread over the pool's threads. Throws qe::Error for a matrix
// the kernels can't take. `release_file_pages` promises that every matrix's data lies in a
// read-only file mapping (never on the heap: dropping heap pages would zero them).
// `output_slice_rows` (a multiple of 64) sets the size of the output head's slices.
Matrices prepare_matrices(const Weights& weights, const KernelTable& table, ThreadPool& pool,
                          bool release_file_pages = false, int64_t output_slice_rows = 4096);

// The same matrices left in the file's row layout (no copies, nearly free): ready for `table`,
// whose kernels read both layouts, and for a MatrixRepacker to repack later.
Matrices prepare_row_matrices(const Weights& weights, const KernelTable& table,
                              int64_t output_slice_rows = 4096);

// Every (non-empty) matrix of m, in forward-pass order (layer by layer, then the output head's
// slices).
std::vector<Matrix*> all_matrices(Matrices& m);

}  // namespace qe
