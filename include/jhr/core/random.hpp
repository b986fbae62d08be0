// jhr/core/random.hpp: the library's deterministic random source.
//
// jhr::rng is std::mt19937_64 (its output sequence is fixed by the standard). The distributions
// here are written out rather than taken from <random>, whose distributions differ between
// standard libraries, so a seed gives the same initial weights and shuffles everywhere.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace jhr {

using rng = std::mt19937_64;

// Uniform in [0, 1) with 53 random bits.
inline double uniform01(rng& r) { return double(r() >> 11) * 0x1.0p-53; }

inline double uniform(rng& r, double low, double high) { return low + (high - low) * uniform01(r); }

// Standard normal by Box-Muller (one value per call; the pair's second value is discarded).
inline double normal(rng& r) {
    double u1 = uniform01(r);
    while (u1 <= 0.0) u1 = uniform01(r);
    const double u2 = uniform01(r);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// Uniform integer in [0, n), n > 0 (rejection sampling, no modulo bias).
inline std::uint64_t uniform_index(rng& r, std::uint64_t n) {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t v = r();
    while (v >= limit) v = r();
    return v % n;
}

} // namespace jhr
