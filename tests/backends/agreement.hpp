// Helpers for comparing a backend with the reference: seeded random inputs and geometries, and the
// norm-relative difference (support/relative_difference.hpp) every agreement test bounds by 1e-4
// (bf16_tolerance at bf16 precision).
#pragma once

#include "jhr/core/geometry.hpp"
#include "support/relative_difference.hpp"

#include <cstddef>
#include <random>
#include <vector>

namespace jhr::testing {

inline constexpr double agreement_tolerance = 1e-4;

// The bound at bf16 precision: products of inputs rounded to 8 significant bits, summed in fp32.
inline constexpr double bf16_tolerance = 1e-2;

inline std::vector<float> random_vector(std::size_t n, std::mt19937& rng, float low = -1.0f,
                                        float high = 1.0f) {
    std::uniform_real_distribution<float> dist(low, high);
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng);
    return v;
}

// `count` seeded random convolutions: batch 1-3, 1-6 channels in and out, 6-13 pixels a side,
// kernel 1, 3 or 5 with a pad up to half of it, stride 1 or 2.
inline std::vector<conv2d_geometry> random_conv_geometries(int count) {
    std::vector<conv2d_geometry> list;
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> small(1, 6), size(6, 13), stride(1, 2);
    for (int i = 0; i < count; ++i) {
        const int kernel = 2 * (small(rng) % 3) + 1;
        const int pad = std::uniform_int_distribution<int>(0, kernel / 2)(rng);
        list.push_back(
            {small(rng) % 3 + 1, small(rng), size(rng), size(rng), small(rng), kernel, stride(rng), pad});
    }
    return list;
}

} // namespace jhr::testing
