#include "model/matrix_repacker.h"

namespace qe {

MatrixRepacker::MatrixRepacker(Matrices& matrices, bool release_file_pages)
    : release_file_pages_(release_file_pages),
      pack_(matrices.table ? matrices.table->pack : nullptr) {
    if (!pack_) return;  // this table reads the row layout only: nothing to do
    for (Matrix* m : all_matrices(matrices)) {
        if (m->layout != kLayoutRows) continue;
        targets_.push_back(m);
        sources_.push_back(*m);
    }
}

void MatrixRepacker::start() {
    if (started_ || targets_.empty()) return;
    started_ = true;
    thread_ = std::thread([this] { pack_all(); });
}

MatrixRepacker::~MatrixRepacker() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
}

void MatrixRepacker::pack_all() {
    for (size_t i = 0; i < sources_.size() && !stop_.load(std::memory_order_relaxed); ++i) {
        Matrix m = sources_[i];
        pack_(m);
        // The forward pass may still read the row layout until the owner installs this copy;
        // such reads map the file's pages in again (they stay in the page cache).
        if (release_file_pages_) release_source_pages(m);
        {
            std::lock_guard lock(mutex_);
            finished_.emplace_back(i, std::move(m));
            ++n_packed_;
            any_finished_.store(true, std::memory_order_release);
        }
        packed_cv_.notify_all();
    }
}

int MatrixRepacker::install_finished() {
    if (!any_finished_.load(std::memory_order_acquire)) return 0;
    std::vector<std::pair<size_t, Matrix>> ready;
    {
        std::lock_guard lock(mutex_);
        ready.swap(finished_);
        any_finished_.store(false, std::memory_order_relaxed);
    }
    for (auto& [i, m] : ready) {
        *targets_[i] = std::move(m);
        // Pages the forward pass mapped in again since the packer released them.
        if (release_file_pages_) release_source_pages(*targets_[i]);
    }
    installed_ += ready.size();
    return int(ready.size());
}

void MatrixRepacker::wait_packed() {
    start();
    std::unique_lock lock(mutex_);
    packed_cv_.wait(lock, [&] { return n_packed_ == sources_.size() || stop_.load(); });
}

}  // namespace qe
