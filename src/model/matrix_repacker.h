// Repacks a model's row-layout matrices (prepare_row_matrices) into their kernel table's faster
// layout on a background thread, so that the model answers at once and gets faster a moment
// later. One matrix at a time: the packer works on its own copies and hands each finished one
// over under a mutex; the thread that runs the forward passes puts them in place between uses
// (install_finished), so no matrix changes while a kernel reads it.
//
// With `release_file_pages`, the file's pages of each repacked matrix are handed back to the
// kernel (as prepare_matrices does), so memory holds about one copy of the weights throughout.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "kernels/kernels.h"
#include "model/matrices.h"

namespace qe {

class MatrixRepacker {
  public:
    // Will repack every matrix of `matrices` (in row layout) for matrices.table, from start() on.
    // The matrices and the weights they point into must outlive the repacker.
    // `release_file_pages` promises that the weights lie in a read-only file mapping (see
    // prepare_matrices).
    MatrixRepacker(Matrices& matrices, bool release_file_pages);
    ~MatrixRepacker();  // stops after the matrix in hand; what was not installed stays row layout
    MatrixRepacker(const MatrixRepacker&) = delete;
    MatrixRepacker& operator=(const MatrixRepacker&) = delete;

    // Starts the background thread (once; later calls do nothing). The owner picks the moment:
    // at once when it waits for work anyway, or after its first answer, so that the repacking
    // doesn't compete with it for the CPU.
    void start();

    // Puts the matrices repacked so far in place of their row-layout versions and returns how
    // many. Call it only from the thread that runs the forward passes over the matrices, while
    // none of them is in use (between matrix products).
    int install_finished();

    // True once every matrix has been installed (then install_finished has nothing more to do).
    bool complete() const { return installed_ == targets_.size(); }

    // Starts if needed and blocks until every matrix is repacked (not yet installed). For tests and
    // measurements.
    void wait_packed();

  private:
    void pack_all();

    const bool release_file_pages_;
    std::vector<Matrix*> targets_;  // owner thread only
    std::vector<Matrix> sources_;   // packer thread only: row-layout copies, same order
    size_t installed_ = 0;          // owner thread only
    bool started_ = false;          // owner thread only
    void (*pack_)(Matrix&) = nullptr;

    std::mutex mutex_;
    std::condition_variable packed_cv_;
    std::vector<std::pair<size_t, Matrix>> finished_;  // repacked, not installed (index, matrix)
    size_t n_packed_ = 0;                              // under mutex_
    std::atomic<bool> any_finished_{false};            // a cheap check before taking the mutex
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace qe
