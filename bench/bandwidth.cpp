// qe-bandwidth: a STREAM-style read probe. Sums a large buffer (default 1 GiB) with 1 and N
// threads and prints the best GB/s of several passes: the ceiling that decode speed is held to,
// since generating one token reads every weight once.
//
//   qe-bandwidth [--mib 1024] [--threads N] [--passes 5]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

// Four independent accumulators so the loop is bound by loads, not by the add chain.
uint64_t sum_range(const uint64_t* p, size_t n) {
    uint64_t a = 0, b = 0, c = 0, d = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        a += p[i];
        b += p[i + 1];
        c += p[i + 2];
        d += p[i + 3];
    }
    for (; i < n; ++i) a += p[i];
    return a + b + c + d;
}

double read_gbps(const std::vector<uint64_t>& buf, int threads, int passes, uint64_t* sink) {
    double best = 0;
    for (int pass = 0; pass < passes; ++pass) {
        std::vector<std::thread> pool;
        std::vector<uint64_t> partial(threads);
        const size_t chunk = buf.size() / threads;
        const auto t0 = std::chrono::steady_clock::now();
        for (int t = 0; t < threads; ++t) {
            const size_t begin = t * chunk;
            const size_t n = t + 1 == threads ? buf.size() - begin : chunk;
            pool.emplace_back([&, begin, n, t] { partial[t] = sum_range(buf.data() + begin, n); });
        }
        for (auto& th : pool) th.join();
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        for (auto v : partial) *sink += v;
        best = std::max(best, double(buf.size() * sizeof(uint64_t)) / s / 1e9);
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    size_t mib = 1024;
    int threads = int(std::max(1u, std::thread::hardware_concurrency()));
    int passes = 5;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 < argc && arg == "--mib")
            mib = std::strtoull(argv[++i], nullptr, 10);
        else if (i + 1 < argc && arg == "--threads")
            threads = std::atoi(argv[++i]);
        else if (i + 1 < argc && arg == "--passes")
            passes = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: qe-bandwidth [--mib N] [--threads N] [--passes N]\n");
            return 2;
        }
    }
    if (mib == 0 || threads < 1 || passes < 1) {
        std::fprintf(stderr, "qe-bandwidth: --mib, --threads and --passes must be positive\n");
        return 2;
    }
    std::vector<uint64_t> buf(mib * 1024 * 1024 / sizeof(uint64_t));
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = i;  // touch every page before timing

    uint64_t sink = 0;
    std::printf("buffer %zu MiB, best of %d passes\n", mib, passes);
    std::printf("read, 1 thread:   %6.1f GB/s\n", read_gbps(buf, 1, passes, &sink));
    if (threads > 1)
        std::printf("read, %d threads:  %6.1f GB/s\n", threads,
                    read_gbps(buf, threads, passes, &sink));
    return sink == 42 ? 3 : 0;  // keeps the sums alive
}
