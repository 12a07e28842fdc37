// What taking back a verification chunk costs (SequenceChunk::verify): the time of one forward
// pass of k tokens at a context depth, plain, as a verification chunk (a hybrid state snapshots
// its recurrent values and records the DeltaNet layers' inputs), and after a rewind into the last
// verification chunk (the next pass first replays the accepted positions). The three kinds of
// pass alternate in one window; medians in milliseconds of wall time and of the process's CPU
// time (steadier on a loaded machine; it counts both threads of the pool, which wait spinning).
// Then the snapshot alone: the copy a verification chunk makes of a hybrid state.
//   build/bin/qe-verify-bench MODEL.gguf [--threads N] [--depth N] [--rounds N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/hybrid_state.h"
#include "model/loaded_model.h"
#include "model/runtime.h"

namespace qe {
namespace {

double cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

struct Times {
    std::vector<double> wall, cpu;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

int run(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage: qe-verify-bench MODEL.gguf [--threads N] [--depth N] [--rounds N]\n");
        return 2;
    }
    int threads = 2, depth = 512, rounds = 9;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const int value = std::atoi(argv[i + 1]);
        if (flag == "--threads") {
            threads = value;
        } else if (flag == "--depth") {
            depth = value;
        } else if (flag == "--rounds") {
            rounds = value;
        } else {
            std::fprintf(stderr, "unknown option %s\n", flag.c_str());
            return 2;
        }
    }
    const auto model = LoadedModel::open(argv[1]);
    RuntimeOptions o;
    o.n_threads = threads;
    o.dump_from_env = false;
    Runtime runtime(model->config(), model->weights(), o);
    ForwardModel& m = runtime.model();
    const int vocab = model->config().vocab_size;
    std::vector<int> ids(size_t(depth) + 2 * kMaxVerifyChunk);
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = int((i * 7919 + 13) % size_t(vocab));
    auto state = m.new_sequence(depth + 2 * kMaxVerifyChunk, DType::F16);
    // The prompt, kept: every timed pass starts from there (a recurrent state rewinds to it).
    SequenceChunk prompt{state.get(), std::span(ids).first(size_t(depth)), 0, false, true};
    m.forward({&prompt, 1});

    using Clock = std::chrono::steady_clock;
    auto timed = [&](int start, int k, bool verify, Times* into) {
        SequenceChunk c{state.get(), std::span(ids).subspan(size_t(start), size_t(k)), start};
        c.verify = verify;
        const auto t0 = Clock::now();
        const double c0 = cpu_ms();
        m.forward({&c, 1});
        if (!into) return;
        into->cpu.push_back(cpu_ms() - c0);
        into->wall.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    };
    std::printf("%s, %d threads, depth %d, %d rounds: median ms per pass (wall / cpu)\n", argv[1],
                threads, depth, rounds);
    std::printf("%3s %17s %17s %21s\n", "k", "plain", "verify", "after rewind (k-1)");
    for (int k : {1, 2, 4, 8}) {
        Times plain, verify, replay;
        for (int r = 0; r < rounds; ++r) {
            state->rewind(depth);
            timed(depth, k, false, &plain);
            state->rewind(depth);
            timed(depth, k, true, &verify);
            // Take back the last of a verification chunk of k (k - 1 positions to replay, the
            // most a rewind replays), then a pass of k from there.
            state->rewind(depth);
            timed(depth, k, true, nullptr);
            state->rewind(depth + k - 1);
            timed(depth + k - 1, k, false, &replay);
        }
        std::printf("%3d %8.2f / %6.2f %8.2f / %6.2f %10.2f / %6.2f\n", k, median(plain.wall),
                    median(plain.cpu), median(verify.wall), median(verify.cpu), median(replay.wall),
                    median(replay.cpu));
    }

    // The snapshot alone: what a verification chunk's pass copies, layer by layer (this thread).
    if (auto* hybrid = dynamic_cast<HybridState*>(state.get())) {
        ThreadPool pool(threads);
        Times copy, copy_alone;
        for (int r = 0; r < rounds; ++r)
            for (ThreadPool* p : {&pool, static_cast<ThreadPool*>(nullptr)}) {
                hybrid->begin_pass(1, true);
                const auto t0 = Clock::now();
                for (int d = 0; d < model->config().n_delta_net_layers(); ++d)
                    hybrid->prepare_layer(
                        d, [](float*, float*, const float*, int) {}, p);
                (p ? copy : copy_alone)
                    .wall.push_back(
                        std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            }
        std::printf(
            "snapshot of the recurrent state: %.2f ms on %d threads, %.2f ms on one (wall)\n",
            median(copy.wall), threads, median(copy_alone.wall));
    }
    return 0;
}

}  // namespace
}  // namespace qe

int main(int argc, char** argv) {
    try {
        return qe::run(argc, argv);
    } catch (const qe::Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
