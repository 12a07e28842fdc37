// Chi-square goodness-of-fit helpers for the statistical tests (seeded, so deterministic): the
// statistic against expected probabilities or between two samples, and the critical value at a
// significance level.
#pragma once

#include <cmath>
#include <map>
#include <vector>

namespace qe::test {

// The (1 - alpha) quantile of the chi-square distribution with `df` degrees of freedom, by the
// Wilson-Hilferty cube approximation (within about 1% for df >= 2). `z` is the standard normal's
// (1 - alpha) quantile: 3.0902 for alpha = 0.001.
inline double chi_square_critical(int df, double z = 3.0902) {
    const double a = 2.0 / (9.0 * df);
    const double c = 1.0 - a + z * std::sqrt(a);
    return df * c * c * c;
}

struct ChiSquare {
    double statistic = 0;
    int df = 0;
    bool passes(double z = 3.0902) const {
        return df > 0 && statistic < chi_square_critical(df, z);
    }
};

// Observed counts per category against expected probabilities (categories with probability 0
// must not be observed: any such count makes the statistic infinite).
inline ChiSquare goodness_of_fit(const std::map<int, long>& observed,
                                 const std::map<int, double>& expected, long n) {
    ChiSquare r;
    for (const auto& [id, count] : observed)
        if (!expected.count(id) || expected.at(id) <= 0) r.statistic = INFINITY;
    for (const auto& [id, p] : expected) {
        if (p <= 0) continue;
        const double e = p * double(n);
        const double o = observed.count(id) ? double(observed.at(id)) : 0.0;
        r.statistic += (o - e) * (o - e) / e;
        ++r.df;
    }
    --r.df;
    return r;
}

// Two samples of counts per category: do they come from one distribution? Categories seen fewer
// than `min_count` times in both together are pooled into one.
inline ChiSquare two_sample(const std::map<int, long>& a, const std::map<int, long>& b,
                            long min_count = 10) {
    double na = 0, nb = 0;
    std::map<int, std::pair<double, double>> joint;
    for (const auto& [id, c] : a) joint[id].first += double(c), na += double(c);
    for (const auto& [id, c] : b) joint[id].second += double(c), nb += double(c);
    std::vector<std::pair<double, double>> bins;
    std::pair<double, double> rare{0, 0};
    for (const auto& [id, ab] : joint) {
        if (ab.first + ab.second < double(min_count)) {
            rare.first += ab.first;
            rare.second += ab.second;
        } else {
            bins.push_back(ab);
        }
    }
    if (rare.first + rare.second > 0) bins.push_back(rare);
    ChiSquare r;
    const double ka = std::sqrt(nb / na), kb = std::sqrt(na / nb);
    for (const auto& [x, y] : bins) {
        const double d = x * ka - y * kb;
        r.statistic += d * d / (x + y);
    }
    r.df = int(bins.size()) - 1;
    return r;
}

}  // namespace qe::test
