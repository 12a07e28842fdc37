#include "server/model_registry.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>

#include "fetch/progress.h"

namespace qe {

struct ModelRegistry::Usage {
    std::atomic<int> active{0};
    std::atomic<Clock::rep> last_used{0};  // Clock ticks since its epoch
};

struct ModelRegistry::Entry {
    std::string name;
    ModelKind kind = ModelKind::kChat;
    std::string path;
    uint64_t bytes_estimate = 0;
    ModelLoader loader;
    bool pinned = false;
    std::shared_ptr<ServedModel> model;  // set while loaded
    bool loading = false;
    uint64_t load_round = 0;  // loads finished (or failed): a waiter sees its own load end
    std::string load_error;   // of the last load, when it failed
    std::shared_ptr<Usage> usage = std::make_shared<Usage>();
};

ModelRegistry::ModelRegistry(RegistryOptions options) : options_(std::move(options)) {
    loader_ = std::thread([this] { loader_loop(); });
}

ModelRegistry::~ModelRegistry() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    loader_.join();
    if (sweeper_.joinable()) sweeper_.join();
}

ModelRegistry::Clock::time_point ModelRegistry::now() const {
    return options_.clock ? options_.clock() : Clock::now();
}

void ModelRegistry::log(const std::string& message) const {
    if (options_.log) options_.log(message);
}

void ModelRegistry::add(const std::string& name, ModelKind kind, const std::string& path,
                        uint64_t bytes_estimate, ModelLoader loader, bool pinned) {
    std::lock_guard lock(mutex_);
    for (auto& e : entries_)
        if (e->name == name) {
            e->pinned = e->pinned || pinned;
            return;
        }
    auto e = std::make_unique<Entry>();
    e->name = name;
    e->kind = kind;
    e->path = path;
    e->bytes_estimate = bytes_estimate;
    e->loader = std::move(loader);
    e->pinned = pinned;
    e->usage->last_used = now().time_since_epoch().count();
    entries_.push_back(std::move(e));
}

void ModelRegistry::add_loaded(const std::string& name, ModelKind kind, const std::string& path,
                               std::shared_ptr<ServedModel> model, ModelLoader loader,
                               bool pinned) {
    const uint64_t bytes = model->bytes();
    // Without a loader it could never come back: it stays.
    add(name, kind, path, bytes, std::move(loader), pinned || !loader);
    std::lock_guard lock(mutex_);
    for (auto& e : entries_)
        if (e->name == name && !e->model) {
            e->model = std::move(model);
            ++stats_.loads;
            e->usage->last_used = now().time_since_epoch().count();
        }
}

void ModelRegistry::pin(const std::string& name) {
    std::lock_guard lock(mutex_);
    for (auto& e : entries_)
        if (e->name == name) e->pinned = true;
}

bool ModelRegistry::contains(const std::string& name) const {
    std::lock_guard lock(mutex_);
    for (const auto& e : entries_)
        if (e->name == name) return true;
    return false;
}

ModelKind ModelRegistry::kind(const std::string& name) const {
    std::lock_guard lock(mutex_);
    for (const auto& e : entries_)
        if (e->name == name) return e->kind;
    throw ModelUnavailable(ModelUnavailable::Reason::kUnknown, "no model '" + name + "'");
}

uint64_t ModelRegistry::loaded_bytes_locked() const {
    uint64_t sum = 0;
    for (const auto& e : entries_)
        if (e->model)
            sum += e->model->bytes();
        else if (e->loading)
            sum += e->bytes_estimate;  // its room is taken from the moment it starts
    return sum;
}

bool ModelRegistry::make_room_locked(uint64_t extra, const Entry* keep,
                                     std::vector<std::shared_ptr<ServedModel>>& dropped) {
    if (options_.memory_budget == 0) return true;
    while (loaded_bytes_locked() + extra > options_.memory_budget) {
        Entry* victim = nullptr;
        for (auto& e : entries_) {
            if (!e->model || e->pinned || e.get() == keep || e->usage->active > 0) continue;
            if (!victim || e->usage->last_used < victim->usage->last_used) victim = e.get();
        }
        if (!victim) return false;
        log("unloaded " + victim->name + " (" + fetch::format_bytes(victim->model->bytes()) +
            ") to make room within the memory budget of " +
            fetch::format_bytes(options_.memory_budget));
        dropped.push_back(std::move(victim->model));
        victim->model.reset();
        ++stats_.memory_unloads;
    }
    return true;
}

std::shared_ptr<ServedModel> ModelRegistry::lease_locked(Entry& e) {
    e.usage->active++;
    e.usage->last_used = now().time_since_epoch().count();
    // A pointer of its own whose last copy gives the use back, holding the model meanwhile.
    std::shared_ptr<Usage> usage = e.usage;
    auto clock_fn = options_.clock;
    return std::shared_ptr<ServedModel>(
        e.model.get(), [held = e.model, usage, clock_fn](ServedModel*) {
            usage->last_used = (clock_fn ? clock_fn() : Clock::now()).time_since_epoch().count();
            usage->active--;
        });
}

std::shared_ptr<ServedModel> ModelRegistry::acquire(const std::string& name) {
    std::unique_lock lock(mutex_);
    Entry* e = nullptr;
    for (auto& candidate : entries_)
        if (candidate->name == name) e = candidate.get();
    if (!e) throw ModelUnavailable(ModelUnavailable::Reason::kUnknown, "no model '" + name + "'");
    const auto deadline = std::chrono::steady_clock::now() + options_.load_timeout;
    // Again when the model, once loaded, was unloaded for another before this request got it.
    for (;;) {
        if (e->model) return lease_locked(*e);
        const uint64_t round = e->load_round;  // before the lock is let go below
        if (!e->loading) {
            if (options_.memory_budget && e->bytes_estimate > options_.memory_budget)
                throw ModelUnavailable(ModelUnavailable::Reason::kTooLarge,
                                       "model '" + name + "' needs " +
                                           fetch::format_bytes(e->bytes_estimate) +
                                           ", more than the whole memory budget of " +
                                           fetch::format_bytes(options_.memory_budget) +
                                           " (serve --memory-budget raises it)");
            std::vector<std::shared_ptr<ServedModel>> dropped;
            if (!make_room_locked(e->bytes_estimate, e, dropped)) {
                std::string busy;
                for (const auto& other : entries_)
                    if (other->model || other->loading)
                        busy += (busy.empty() ? "" : ", ") + other->name;
                throw ModelUnavailable(
                    ModelUnavailable::Reason::kNoRoom,
                    "model '" + name + "' (" + fetch::format_bytes(e->bytes_estimate) +
                        ") does not fit the memory budget of " +
                        fetch::format_bytes(options_.memory_budget) + " beside " + busy +
                        ", which are answering requests or kept loaded; retry when they are done");
            }
            e->loading = true;  // its room is taken from now on
            e->load_error.clear();
            log("loading " + name + " (" + e->path + ")");
            // The unloaded models go before the new one comes (their memory is its room).
            lock.unlock();
            dropped.clear();
            lock.lock();
            load_queue_.push_back(e);
            changed_.notify_all();
        }
        const bool ended = changed_.wait_until(lock, deadline,
                                               [&] { return e->load_round != round || stopping_; });
        if (stopping_)
            throw ModelUnavailable(ModelUnavailable::Reason::kTimeout, "the server is stopping");
        if (!ended)
            throw ModelUnavailable(ModelUnavailable::Reason::kTimeout,
                                   "model '" + name + "' is still loading after " +
                                       std::to_string(options_.load_timeout.count() / 1000) +
                                       " s; retry shortly");
        if (!e->model && !e->load_error.empty())
            throw ModelUnavailable(ModelUnavailable::Reason::kLoadFailed,
                                   "model '" + name + "' could not be loaded: " + e->load_error);
    }
}

std::shared_ptr<ServedModel> ModelRegistry::peek(const std::string& name) const {
    std::lock_guard lock(mutex_);
    for (const auto& e : entries_)
        if (e->name == name) return e->model;
    return nullptr;
}

void ModelRegistry::loader_loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [&] { return stopping_ || !load_queue_.empty(); });
        if (stopping_) break;
        Entry* e = load_queue_.front();
        load_queue_.pop_front();
        ModelLoader loader = e->loader;
        const std::string name = e->name;
        lock.unlock();
        std::shared_ptr<ServedModel> model;
        std::string error;
        const auto t0 = std::chrono::steady_clock::now();
        try {
            if (!loader) throw Error("it cannot be loaded again");
            model = loader();
        } catch (const std::exception& ex) {
            error = ex.what();
        }
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        std::vector<std::shared_ptr<ServedModel>> dropped;
        lock.lock();
        e->loading = false;
        ++e->load_round;
        if (model) {
            e->model = std::move(model);
            e->usage->last_used = now().time_since_epoch().count();
            ++stats_.loads;
            log("loaded " + name + " in " + std::to_string(int(ms)) + " ms (" +
                fetch::format_bytes(e->model->bytes()) + ")");
            // Its real size may exceed the estimate: others make room if they can.
            make_room_locked(0, e, dropped);
        } else {
            e->load_error = error;
            ++stats_.load_failures;
            log("could not load " + name + ": " + error);
        }
        changed_.notify_all();
        lock.unlock();
        dropped.clear();
        lock.lock();
    }
}

int ModelRegistry::unload_idle() {
    if (options_.idle_unload.count() <= 0) return 0;
    std::vector<std::shared_ptr<ServedModel>> dropped;
    {
        std::lock_guard lock(mutex_);
        const auto t = now();
        for (auto& e : entries_) {
            if (!e->model || e->pinned || e->usage->active > 0) continue;
            const Clock::time_point last{Clock::duration(e->usage->last_used.load())};
            if (t - last < options_.idle_unload) continue;
            log("unloaded " + e->name + " (" + fetch::format_bytes(e->model->bytes()) +
                "): unused for " +
                std::to_string(std::chrono::duration_cast<std::chrono::minutes>(t - last).count()) +
                " min");
            dropped.push_back(std::move(e->model));
            e->model.reset();
            ++stats_.idle_unloads;
        }
    }
    return int(dropped.size());
}

void ModelRegistry::start_idle_sweeper(std::chrono::milliseconds interval) {
    sweeper_ = std::thread([this, interval] {
        std::unique_lock lock(mutex_);
        while (!changed_.wait_for(lock, interval, [&] { return stopping_; })) {
            lock.unlock();
            unload_idle();
            lock.lock();
        }
    });
}

std::vector<RegistryEntryInfo> ModelRegistry::entries() const {
    std::lock_guard lock(mutex_);
    std::vector<RegistryEntryInfo> out;
    for (const auto& e : entries_) {
        RegistryEntryInfo i;
        i.name = e->name;
        i.kind = e->kind;
        i.path = e->path;
        i.bytes = e->model ? e->model->bytes() : e->bytes_estimate;
        i.loaded = e->model != nullptr;
        i.loading = e->loading;
        i.pinned = e->pinned;
        i.active = e->usage->active;
        out.push_back(std::move(i));
    }
    return out;
}

RegistryStats ModelRegistry::stats() const {
    std::lock_guard lock(mutex_);
    RegistryStats s = stats_;
    for (const auto& e : entries_)
        if (e->model) {
            ++s.loaded_models;
            s.loaded_bytes += e->model->bytes();
        }
    return s;
}

uint64_t parse_byte_size(const std::string& text) {
    auto bad = [&] {
        return Error("'" + text +
                     "' is not a size: give bytes or a number with a unit, like 4G, 1.5GB, "
                     "800MiB or 512M");
    };
    size_t i = 0;
    while (i < text.size() && (std::isdigit(uint8_t(text[i])) || text[i] == '.')) ++i;
    double number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + i, number);
    if (i == 0 || ec != std::errc() || end != text.data() + i) throw bad();
    std::string unit;
    for (char c : text.substr(i))
        if (c != ' ') unit += char(std::tolower(uint8_t(c)));
    double scale;
    if (unit.empty() || unit == "b")
        scale = 1;
    else if (unit == "k" || unit == "kb")
        scale = 1e3;
    else if (unit == "kib")
        scale = 1024.0;
    else if (unit == "m" || unit == "mb")
        scale = 1e6;
    else if (unit == "mib")
        scale = 1024.0 * 1024;
    else if (unit == "g" || unit == "gb")
        scale = 1e9;
    else if (unit == "gib")
        scale = 1024.0 * 1024 * 1024;
    else if (unit == "t" || unit == "tb")
        scale = 1e12;
    else if (unit == "tib")
        scale = 1024.0 * 1024 * 1024 * 1024;
    else
        throw bad();
    const double bytes = number * scale;
    if (!std::isfinite(bytes) || bytes >= 1.8e19) throw bad();
    return uint64_t(bytes);
}

uint64_t default_memory_budget() {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0) return 0;  // unknown: no limit
    uint64_t memory = uint64_t(pages) * uint64_t(page);
    // A container's or systemd unit's limit (cgroup v2), when lower: "max" or none means no limit.
    std::ifstream limit("/sys/fs/cgroup/memory.max");
    uint64_t cgroup = 0;
    if (limit >> cgroup && cgroup > 0) memory = std::min(memory, cgroup);
    return memory / 2;
}

}  // namespace qe
