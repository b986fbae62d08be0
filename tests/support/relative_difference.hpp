// The norm-relative difference every numeric comparison in the tests bounds:
// ||a - b|| / max(||a||, ||b||, floor), accumulated in double; infinity when the lengths differ.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace jhr::testing {

template <class T>
double relative_difference(const std::vector<T>& a, const std::vector<T>& b, double floor = 1e-30) {
    if (a.size() != b.size()) return INFINITY;
    double diff = 0, norm_a = 0, norm_b = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff += (double(a[i]) - double(b[i])) * (double(a[i]) - double(b[i]));
        norm_a += double(a[i]) * double(a[i]);
        norm_b += double(b[i]) * double(b[i]);
    }
    return std::sqrt(diff) / std::max({std::sqrt(norm_a), std::sqrt(norm_b), floor});
}

} // namespace jhr::testing
