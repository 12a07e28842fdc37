// The model registry with stand-in models and a fake clock: loads on first use (one load for many
// waiters), idle and memory-budget unloading (least recently used first, never a busy or pinned
// model), the timeout of a wait, and a failed load's message.
#include "server/model_registry.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace qe {
namespace {

using namespace std::chrono_literals;

class FakeModel : public ServedModel {
  public:
    explicit FakeModel(uint64_t bytes) : bytes_(bytes) {}
    uint64_t bytes() const override { return bytes_; }

  private:
    uint64_t bytes_;
};

// A clock tests move by hand.
struct FakeClock {
    std::atomic<int64_t> minutes{0};
    RegistryOptions::Clock::time_point now() const {
        return RegistryOptions::Clock::time_point(std::chrono::minutes(minutes.load()));
    }
};

// A loader that counts its calls and can be held until a test opens it.
struct Loader {
    explicit Loader(uint64_t bytes) : bytes(bytes) {}
    uint64_t bytes;
    bool fail = false;
    std::mutex m;
    std::condition_variable cv;
    bool open = true, entered = false;
    int calls = 0;

    ModelLoader fn() {
        return [this]() -> std::shared_ptr<ServedModel> {
            std::unique_lock lock(m);
            ++calls;
            entered = true;
            cv.notify_all();
            cv.wait(lock, [&] { return open; });
            if (fail) throw Error("broken.gguf: not a GGUF file");
            return std::make_shared<FakeModel>(bytes);
        };
    }
    void hold() {
        std::lock_guard lock(m);
        open = false;
    }
    void wait_entered() {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return entered; });
    }
    void release() {
        std::lock_guard lock(m);
        open = true;
        cv.notify_all();
    }
};

RegistryOptions options(FakeClock& clock, uint64_t budget = 0) {
    RegistryOptions o;
    o.memory_budget = budget;
    o.idle_unload = 15min;
    o.clock = [&clock] { return clock.now(); };
    return o;
}

bool loaded(const ModelRegistry& r, const std::string& name) {
    for (const auto& e : r.entries())
        if (e.name == name) return e.loaded;
    ADD_FAILURE() << "no entry " << name;
    return false;
}

TEST(ModelRegistry, LoadsOnFirstUseAndOnce) {
    FakeClock clock;
    ModelRegistry r(options(clock));
    Loader a{100};
    r.add("a", ModelKind::kChat, "a.gguf", 100, a.fn());
    EXPECT_FALSE(loaded(r, "a"));
    EXPECT_EQ(r.peek("a"), nullptr);
    auto m1 = r.acquire("a");
    auto m2 = r.acquire("a");
    EXPECT_EQ(m1.get(), m2.get());
    EXPECT_EQ(a.calls, 1);
    EXPECT_TRUE(loaded(r, "a"));
    EXPECT_EQ(r.stats().loads, 1u);
    EXPECT_EQ(r.stats().loaded_models, 1);
    EXPECT_EQ(r.stats().loaded_bytes, 100u);
}

TEST(ModelRegistry, UnknownNameIsAnError) {
    ModelRegistry r;
    try {
        r.acquire("nope");
        FAIL();
    } catch (const ModelUnavailable& e) {
        EXPECT_EQ(e.reason, ModelUnavailable::Reason::kUnknown);
    }
}

TEST(ModelRegistry, ManyWaitersShareOneLoad) {
    FakeClock clock;
    ModelRegistry r(options(clock));
    Loader a{100};
    a.hold();
    r.add("a", ModelKind::kChat, "a.gguf", 100, a.fn());
    std::vector<std::thread> waiters;
    std::vector<std::shared_ptr<ServedModel>> got(4);
    for (int i = 0; i < 4; ++i) waiters.emplace_back([&, i] { got[i] = r.acquire("a"); });
    a.wait_entered();
    a.release();
    for (auto& t : waiters) t.join();
    EXPECT_EQ(a.calls, 1);
    for (const auto& m : got) EXPECT_EQ(m.get(), got[0].get());
}

TEST(ModelRegistry, WaitForALoadTimesOutWithAClearMessage) {
    FakeClock clock;
    RegistryOptions o = options(clock);
    o.load_timeout = 1ms;
    ModelRegistry r(o);
    Loader a{100};
    a.hold();
    r.add("a", ModelKind::kChat, "a.gguf", 100, a.fn());
    try {
        r.acquire("a");
        FAIL();
    } catch (const ModelUnavailable& e) {
        EXPECT_EQ(e.reason, ModelUnavailable::Reason::kTimeout);
        EXPECT_NE(std::string(e.what()).find("'a' is still loading"), std::string::npos)
            << e.what();
    }
    a.release();
}

TEST(ModelRegistry, FailedLoadNamesTheProblemAndIsRetried) {
    FakeClock clock;
    ModelRegistry r(options(clock));
    Loader a{100};
    a.fail = true;
    r.add("a", ModelKind::kChat, "broken.gguf", 100, a.fn());
    try {
        r.acquire("a");
        FAIL();
    } catch (const ModelUnavailable& e) {
        EXPECT_EQ(e.reason, ModelUnavailable::Reason::kLoadFailed);
        EXPECT_NE(std::string(e.what()).find("broken.gguf: not a GGUF file"), std::string::npos);
    }
    EXPECT_EQ(r.stats().load_failures, 1u);
    a.fail = false;
    EXPECT_NE(r.acquire("a"), nullptr);
    EXPECT_EQ(a.calls, 2);
}

TEST(ModelRegistry, IdleModelsUnloadAfterTheirTimeButNotBusyOrPinnedOnes) {
    FakeClock clock;
    ModelRegistry r(options(clock));
    Loader a{100}, b{100}, c{100};
    r.add("a", ModelKind::kChat, "a.gguf", 100, a.fn());
    r.add("b", ModelKind::kEmbedding, "b.gguf", 100, b.fn(), /*pinned=*/true);
    r.add("c", ModelKind::kRerank, "c.gguf", 100, c.fn());
    r.acquire("a");
    r.acquire("b");
    auto busy = r.acquire("c");
    clock.minutes = 14;
    EXPECT_EQ(r.unload_idle(), 0);
    clock.minutes = 15;
    EXPECT_EQ(r.unload_idle(), 1);
    EXPECT_FALSE(loaded(r, "a"));
    EXPECT_TRUE(loaded(r, "b"));  // pinned
    EXPECT_TRUE(loaded(r, "c"));  // a request holds it
    // Idle time counts from the end of its last use.
    clock.minutes = 40;
    busy.reset();
    clock.minutes = 54;
    EXPECT_EQ(r.unload_idle(), 0);
    clock.minutes = 55;
    EXPECT_EQ(r.unload_idle(), 1);
    EXPECT_FALSE(loaded(r, "c"));
    EXPECT_EQ(r.stats().idle_unloads, 2u);
    // And it comes back on the next use.
    EXPECT_NE(r.acquire("a"), nullptr);
    EXPECT_EQ(a.calls, 2);
}

TEST(ModelRegistry, BudgetUnloadsTheLeastRecentlyUsedIdleModel) {
    FakeClock clock;
    ModelRegistry r(options(clock, 250));
    Loader a{100}, b{100}, c{100};
    r.add("a", ModelKind::kChat, "a.gguf", 100, a.fn());
    r.add("b", ModelKind::kChat, "b.gguf", 100, b.fn());
    r.add("c", ModelKind::kChat, "c.gguf", 100, c.fn());
    r.acquire("a");
    clock.minutes = 1;
    r.acquire("b");
    clock.minutes = 2;
    r.acquire("a");  // a is now more recent than b
    clock.minutes = 3;
    r.acquire("c");
    EXPECT_TRUE(loaded(r, "a"));
    EXPECT_FALSE(loaded(r, "b"));
    EXPECT_TRUE(loaded(r, "c"));
    EXPECT_EQ(r.stats().memory_unloads, 1u);
    EXPECT_LE(r.stats().loaded_bytes, 250u);
}

// A model unloaded for room is gone before the one that needs the room loads.
TEST(ModelRegistry, UnloadedForRoomIsFreedBeforeTheNewLoad) {
    struct Tracked : FakeModel {
        explicit Tracked(std::atomic<bool>& gone) : FakeModel(100), gone_(gone) {}
        ~Tracked() override { gone_ = true; }
        std::atomic<bool>& gone_;
    };
    std::atomic<bool> a_gone{false}, a_gone_when_b_loaded{false};
    FakeClock clock;
    ModelRegistry r(options(clock, 150));
    r.add("a", ModelKind::kChat, "a.gguf", 100, [&] { return std::make_shared<Tracked>(a_gone); });
    r.add("b", ModelKind::kChat, "b.gguf", 100, [&]() -> std::shared_ptr<ServedModel> {
        a_gone_when_b_loaded = a_gone.load();
        return std::make_shared<FakeModel>(100);
    });
    r.acquire("a");
    r.acquire("b");
    EXPECT_TRUE(a_gone_when_b_loaded);
}

TEST(ModelRegistry, BudgetNeverUnloadsABusyModel) {
    FakeClock clock;
    ModelRegistry r(options(clock, 150));
    Loader a{100}, b{100};
    r.add("a", ModelKind::kChat, "a.gguf", 100, a.fn());
    r.add("b", ModelKind::kChat, "b.gguf", 100, b.fn());
    auto held = r.acquire("a");
    try {
        r.acquire("b");
        FAIL();
    } catch (const ModelUnavailable& e) {
        EXPECT_EQ(e.reason, ModelUnavailable::Reason::kNoRoom);
        EXPECT_NE(std::string(e.what()).find("beside a"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(loaded(r, "a"));
    held.reset();
    EXPECT_NE(r.acquire("b"), nullptr);
    EXPECT_FALSE(loaded(r, "a"));
}

TEST(ModelRegistry, ModelBiggerThanTheBudgetIsAClearError) {
    FakeClock clock;
    ModelRegistry r(options(clock, 50));
    Loader a{100};
    r.add("a", ModelKind::kChat, "a.gguf", 100, a.fn());
    try {
        r.acquire("a");
        FAIL();
    } catch (const ModelUnavailable& e) {
        EXPECT_EQ(e.reason, ModelUnavailable::Reason::kTooLarge);
        EXPECT_NE(std::string(e.what()).find("--memory-budget"), std::string::npos) << e.what();
    }
    EXPECT_EQ(a.calls, 0);
}

TEST(ModelRegistry, PreloadedModelWithoutLoaderStays) {
    FakeClock clock;
    ModelRegistry r(options(clock));
    r.add_loaded("a", ModelKind::kChat, "a.gguf", std::make_shared<FakeModel>(10), nullptr);
    clock.minutes = 100;
    EXPECT_EQ(r.unload_idle(), 0);
    EXPECT_TRUE(loaded(r, "a"));
}

TEST(ModelRegistry, LoadAndUnloadEventsAreLogged) {
    FakeClock clock;
    RegistryOptions o = options(clock);
    std::mutex m;
    std::vector<std::string> lines;
    o.log = [&](const std::string& s) {
        std::lock_guard lock(m);
        lines.push_back(s);
    };
    ModelRegistry r(o);
    Loader a{100};
    r.add("a", ModelKind::kChat, "a.gguf", 100, a.fn());
    r.acquire("a");
    clock.minutes = 20;
    r.unload_idle();
    std::lock_guard lock(m);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_TRUE(lines[0].starts_with("loading a")) << lines[0];
    EXPECT_TRUE(lines[1].starts_with("loaded a")) << lines[1];
    EXPECT_TRUE(lines[2].starts_with("unloaded a")) << lines[2];
}

TEST(ByteSize, UnitsAndErrors) {
    EXPECT_EQ(parse_byte_size("800"), 800u);
    EXPECT_EQ(parse_byte_size("4G"), 4'000'000'000u);
    EXPECT_EQ(parse_byte_size("1.5GB"), 1'500'000'000u);
    EXPECT_EQ(parse_byte_size("2 GiB"), 2ull << 30);
    EXPECT_EQ(parse_byte_size("512mib"), 512ull << 20);
    EXPECT_THROW(parse_byte_size(""), Error);
    EXPECT_THROW(parse_byte_size("lots"), Error);
    EXPECT_THROW(parse_byte_size("4 bananas"), Error);
    EXPECT_THROW(parse_byte_size("1e30"), Error);
    EXPECT_GT(default_memory_budget(), 0u);
}

}  // namespace
}  // namespace qe
