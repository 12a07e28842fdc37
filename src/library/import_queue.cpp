#include "library/import_queue.h"

#include <algorithm>
#include <chrono>
#include <system_error>

namespace qe::library {
namespace {

int64_t now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void remove_file(const std::filesystem::path& p) {
    std::error_code ec;
    std::filesystem::remove(p, ec);
}

}  // namespace

ImportQueue::ImportQueue(Bases bases, std::optional<knowledge::EmbedderInfo> embedder,
                         knowledge::EmbedTexts embed)
    : bases_(std::move(bases)), embedder_(std::move(embedder)), embed_(std::move(embed)) {
    worker_ = std::thread([this] { work(); });
}

ImportQueue::~ImportQueue() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    worker_.join();
    for (const Job& j : queue_) remove_file(j.file);
}

QueuedDocument ImportQueue::enqueue(const std::string& base, const std::string& name,
                                    const std::filesystem::path& file, uint64_t bytes) {
    std::lock_guard lock(mutex_);
    Job job;
    job.doc.id = "upload-" + std::to_string(next_id_++);
    job.doc.base = base;
    job.doc.file = name;
    job.doc.bytes = bytes;
    job.doc.updated_at = now_s();
    job.file = file;
    // A new upload of a skipped file replaces its entry.
    std::erase_if(skipped_,
                  [&](const QueuedDocument& d) { return d.base == base && d.file == name; });
    queue_.push_back(job);
    changed_.notify_all();
    return job.doc;
}

std::vector<QueuedDocument> ImportQueue::pending(const std::string& base) const {
    std::lock_guard lock(mutex_);
    std::vector<QueuedDocument> out;
    if (current_ && current_->base == base) out.push_back(*current_);
    for (const Job& j : queue_)
        if (j.doc.base == base) out.push_back(j.doc);
    for (const QueuedDocument& d : skipped_)
        if (d.base == base) out.push_back(d);
    return out;
}

bool ImportQueue::cancel(const std::string& base, const std::string& id) {
    std::lock_guard lock(mutex_);
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
        if (it->doc.base == base && it->doc.id == id) {
            remove_file(it->file);
            queue_.erase(it);
            return true;
        }
    }
    return std::erase_if(skipped_,
                         [&](const QueuedDocument& d) { return d.base == base && d.id == id; }) > 0;
}

void ImportQueue::forget_base(const std::string& base) {
    std::unique_lock lock(mutex_);
    for (const Job& j : queue_)
        if (j.doc.base == base) remove_file(j.file);
    std::erase_if(queue_, [&](const Job& j) { return j.doc.base == base; });
    std::erase_if(skipped_, [&](const QueuedDocument& d) { return d.base == base; });
    changed_.wait(lock, [&] { return !current_ || current_->base != base; });
}

void ImportQueue::wait_idle() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queue_.empty() && !current_; });
}

void ImportQueue::work() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            job = std::move(queue_.front());
            queue_.pop_front();
            job.doc.status = "indexing";
            job.doc.updated_at = now_s();
            current_ = job.doc;
        }
        QueuedDocument done = job.doc;
        try {
            auto base = bases_.open(job.doc.base, embedder_);
            ImportOptions options;
            options.embed = embed_;
            const FileResult r = import_file(*base, job.file, job.doc.file, options);
            if (r.outcome == Outcome::kSkipped) {
                done.status = "skipped";
                done.reason = r.reason + ": " + r.message;
            } else {
                done.status = "ready";
            }
        } catch (const std::exception& e) {
            // The base was removed, or refuses the embedder: the file stays listed as skipped.
            done.status = "skipped";
            done.reason = std::string("failed: ") + e.what();
        }
        remove_file(job.file);
        {
            std::lock_guard lock(mutex_);
            done.updated_at = now_s();
            if (done.status == "skipped") skipped_.push_back(done);
            current_.reset();
        }
        changed_.notify_all();
    }
}

}  // namespace qe::library
