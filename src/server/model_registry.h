// Every model the server can run, by name: chat, embedding and reranker models side by side.
// A model loads on first use (one load on the registry's loader thread, however many requests
// wait for it) and unloads when idle too long or when another needs its memory (least recently
// used first; never a pinned one, never one with a request running).
//
// What a loaded model is (a scheduler, an embedder, ...) is the caller's: the registry holds a
// ServedModel and knows only its bytes, so it is tested with stand-ins and a fake clock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "fetch/model_catalogue.h"

namespace qe {

using ModelKind = fetch::ModelKind;

// A loaded model as the registry sees it.
class ServedModel {
  public:
    virtual ~ServedModel() = default;
    virtual uint64_t bytes() const = 0;  // memory it holds (weights, caches)
};

// Loads one model; throws qe::Error naming the file and what is wrong with it.
using ModelLoader = std::function<std::shared_ptr<ServedModel>()>;

struct RegistryOptions {
    using Clock = std::chrono::steady_clock;
    uint64_t memory_budget = 0;  // bytes all loaded models may take together; 0: no limit
    std::chrono::milliseconds idle_unload{std::chrono::minutes(15)};  // 0: never
    std::chrono::milliseconds load_timeout{std::chrono::minutes(2)};  // a request waits this long
    std::function<Clock::time_point()> clock;  // when a model was last used; steady_clock if unset
    std::function<void(const std::string&)> log;  // load and unload events; none if unset
};

// Why a model could not be had; the API maps each to its status.
class ModelUnavailable : public Error {
  public:
    enum class Reason {
        kUnknown,     // no entry of that name
        kTooLarge,    // bigger than the whole memory budget
        kNoRoom,      // the budget is taken by models answering requests
        kTimeout,     // still loading when the wait ended
        kLoadFailed,  // the loader threw
    };
    ModelUnavailable(Reason reason, const std::string& message) : Error(message), reason(reason) {}
    Reason reason;
};

struct RegistryEntryInfo {
    std::string name;
    ModelKind kind = ModelKind::kChat;
    std::string path;
    uint64_t bytes = 0;  // when loaded, what it holds; else what loading it is expected to take
    bool loaded = false, loading = false, pinned = false;
    int active = 0;  // requests holding it
};

struct RegistryStats {
    uint64_t loads = 0, load_failures = 0, idle_unloads = 0, memory_unloads = 0;
    int loaded_models = 0;
    uint64_t loaded_bytes = 0;
};

class ModelRegistry {
  public:
    explicit ModelRegistry(RegistryOptions options = {});
    ~ModelRegistry();  // waits for a load running; unloads everything
    ModelRegistry(const ModelRegistry&) = delete;
    ModelRegistry& operator=(const ModelRegistry&) = delete;

    // Adds a model that loads on first use; `bytes_estimate` is what loading it will take (its
    // file's size). A name already there keeps its entry (pinning it if `pinned`).
    void add(const std::string& name, ModelKind kind, const std::string& path,
             uint64_t bytes_estimate, ModelLoader loader, bool pinned = false);
    // Adds a model loaded already (reloaded by `loader` after an unload; none: never unloaded).
    void add_loaded(const std::string& name, ModelKind kind, const std::string& path,
                    std::shared_ptr<ServedModel> model, ModelLoader loader, bool pinned = false);
    void pin(const std::string& name);
    bool contains(const std::string& name) const;
    // The entry's kind; throws ModelUnavailable(kUnknown) when there is none.
    ModelKind kind(const std::string& name) const;

    // The model `name`, loaded: at once when it is, else after its load (started here, or the
    // one running) for at most load_timeout. The model counts as in use (never unloaded) until
    // the last copy of the pointer goes. Throws ModelUnavailable.
    std::shared_ptr<ServedModel> acquire(const std::string& name);
    // The model when it is loaded, without loading it or counting as a use (for listings).
    std::shared_ptr<ServedModel> peek(const std::string& name) const;

    // Unloads the models unused for idle_unload (pinned and busy ones stay); returns how many.
    int unload_idle();
    // Calls unload_idle every `interval` on a thread of the registry until it is destroyed.
    void start_idle_sweeper(std::chrono::milliseconds interval);

    std::vector<RegistryEntryInfo> entries() const;  // in the order they were added
    RegistryStats stats() const;

  private:
    struct Usage;  // requests holding a model and when it was last used
    struct Entry;
    using Clock = RegistryOptions::Clock;

    Clock::time_point now() const;
    void log(const std::string& message) const;
    uint64_t loaded_bytes_locked() const;
    // Unloads least recently used idle models until `extra` more bytes fit the budget; true when
    // they do. The unloaded models go to `dropped`, to be destroyed outside the lock.
    bool make_room_locked(uint64_t extra, const Entry* keep,
                          std::vector<std::shared_ptr<ServedModel>>& dropped);
    std::shared_ptr<ServedModel> lease_locked(Entry& e);
    void loader_loop();

    RegistryOptions options_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;  // a load ended, a load was asked for, or stopping
    std::vector<std::unique_ptr<Entry>> entries_;
    std::deque<Entry*> load_queue_;
    RegistryStats stats_;
    bool stopping_ = false;
    std::thread loader_;
    std::thread sweeper_;
};

// "1.2 GB", "512 MB", "3G", "800MiB", plain bytes; throws qe::Error naming the text otherwise.
uint64_t parse_byte_size(const std::string& text);

// Half of the machine's memory, or of its cgroup's limit when lower: the default memory budget.
uint64_t default_memory_budget();

}  // namespace qe
