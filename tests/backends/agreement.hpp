// Helpers for comparing a backend with the reference: seeded random inputs and the norm-relative
// difference ||a - b|| / max(||a||, ||b||, tiny) every agreement test bounds by 1e-4.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

namespace jhr::testing {

inline constexpr double agreement_tolerance = 1e-4;

inline std::vector<float> random_vector(std::size_t n, std::mt19937& rng, float low = -1.0f,
                                        float high = 1.0f) {
    std::uniform_real_distribution<float> dist(low, high);
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng);
    return v;
}

inline double relative_difference(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return INFINITY;
    double diff = 0, norm_a = 0, norm_b = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
        norm_a += double(a[i]) * a[i];
        norm_b += double(b[i]) * b[i];
    }
    return std::sqrt(diff) / std::max({std::sqrt(norm_a), std::sqrt(norm_b), 1e-30});
}

} // namespace jhr::testing
