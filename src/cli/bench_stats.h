// The arithmetic of the bench's figures: elapsed time, mean ± sd over repetitions, the median.
#pragma once

#include <chrono>
#include <vector>

namespace qe::cli {

using BenchClock = std::chrono::steady_clock;

double ms_since(BenchClock::time_point t);

struct Stat {
    double mean = 0, sd = 0;
};
Stat stat(const std::vector<double>& v);

// The middle value (the mean of the two middle ones for an even count); 0 for none. Robust to
// the odd run slowed down by other work on the machine.
double median(std::vector<double> v);

}  // namespace qe::cli
