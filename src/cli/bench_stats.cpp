#include "cli/bench_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace qe::cli {

double ms_since(BenchClock::time_point t) {
    return std::chrono::duration<double, std::milli>(BenchClock::now() - t).count();
}

Stat stat(const std::vector<double>& v) {
    Stat s;
    if (v.empty()) return s;
    s.mean = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
    for (double x : v) s.sd += (x - s.mean) * (x - s.mean);
    s.sd = v.size() > 1 ? std::sqrt(s.sd / double(v.size() - 1)) : 0;
    return s;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    const size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + long(mid), v.end());
    if (v.size() % 2) return v[mid];
    const double upper = v[mid];
    return (upper + *std::max_element(v.begin(), v.begin() + long(mid))) / 2;
}

}  // namespace qe::cli
