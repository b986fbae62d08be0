#include "support/backends.hpp"

#include "jhr/layers/parameter.hpp"

#include <doctest/doctest.h>

#include <cmath>

JHR_TYPED_TEST("parameter: Xavier fill stays within sqrt(3 / fan_in) and is seeded", B) {
    jhr::parameter<B> a(jhr::shape{8, 4, 3, 3}, true), b(jhr::shape{8, 4, 3, 3}, true);
    jhr::rng r1(5), r2(5);
    jhr::fill_xavier(a, 36, r1);
    jhr::fill_xavier(b, 36, r2);
    const auto ha = a.value.to_host();
    CHECK(ha == b.value.to_host());
    const float bound = std::sqrt(3.0f / 36.0f);
    float largest = 0;
    for (float v : ha) largest = std::max(largest, std::abs(v));
    CHECK(largest <= bound);
    CHECK(largest > 0.8f * bound);
}
