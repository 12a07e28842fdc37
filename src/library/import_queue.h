// The server's uploads on their way into the knowledge bases: one worker thread imports them one
// document at a time (each in one transaction, library/importer.h), so an upload never holds an
// HTTP thread and two imports never write one base at once. The uploaded file waits in the data
// folder (Bases::incoming_dir) and is removed once imported. Documents waiting, being imported
// or skipped are listed from here (skipped ones until deleted, or until the server stops);
// imported ones are the base's.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "library/bases.h"
#include "library/importer.h"

namespace qe::library {

struct QueuedDocument {
    std::string id;  // "upload-N" until imported (then the base's document id)
    std::string base;
    std::string file;               // the document's name in the base
    std::string status = "queued";  // "queued", "indexing", "skipped"
    std::string reason;             // skipped: the reason's name and message
    uint64_t bytes = 0;
    int64_t updated_at = 0;  // Unix seconds
};

class ImportQueue {
  public:
    // `embedder`: the base's embedder record and the passages' embedding, when the server has
    // an embedding model.
    ImportQueue(Bases bases, std::optional<knowledge::EmbedderInfo> embedder = {},
                knowledge::EmbedTexts embed = {});
    ~ImportQueue();  // ends the worker after the document it is importing; the rest are dropped

    // Queues `file` (already in Bases::incoming_dir(), taken over: removed once imported) as
    // the document `name` of `base`.
    QueuedDocument enqueue(const std::string& base, const std::string& name,
                           const std::filesystem::path& file, uint64_t bytes);
    // The documents of `base` waiting, being imported or skipped.
    std::vector<QueuedDocument> pending(const std::string& base) const;
    // Drops a queued or skipped document; false when there is none of that id (an upload being
    // imported is left to finish).
    bool cancel(const std::string& base, const std::string& id);
    // Drops everything of `base` and waits while the worker is importing into it (the base is
    // about to be removed).
    void forget_base(const std::string& base);
    // Waits until nothing is queued or being imported (tests, shutdown).
    void wait_idle();

  private:
    void work();

    struct Job {
        QueuedDocument doc;
        std::filesystem::path file;
    };
    Bases bases_;
    std::optional<knowledge::EmbedderInfo> embedder_;
    knowledge::EmbedTexts embed_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Job> queue_;
    std::optional<QueuedDocument> current_;
    std::vector<QueuedDocument> skipped_;
    uint64_t next_id_ = 1;
    bool stopping_ = false;
    std::thread worker_;  // last: started once the rest is ready
};

}  // namespace qe::library
