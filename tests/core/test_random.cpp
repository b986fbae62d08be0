#include "jhr/core/random.hpp"

#include <doctest/doctest.h>

#include <cmath>

TEST_CASE("random: a seed fixes the sequence") {
    jhr::rng a(42), b(42);
    for (int i = 0; i < 100; ++i) CHECK(jhr::normal(a) == jhr::normal(b));
}

TEST_CASE("random: uniform01 lies in [0, 1), normal has unit variance") {
    jhr::rng r(7);
    double sum = 0, sum_sq = 0;
    int outside = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
        const double u = jhr::uniform01(r);
        outside += (u < 0.0 || u >= 1.0);
        const double z = jhr::normal(r);
        sum += z;
        sum_sq += z * z;
    }
    CHECK(outside == 0);
    CHECK(std::abs(sum / n) < 0.01);
    CHECK(std::abs(sum_sq / n - 1.0) < 0.02);
}

TEST_CASE("random: uniform_index covers its range") {
    jhr::rng r(1);
    int counts[5] = {};
    for (int i = 0; i < 5000; ++i) ++counts[jhr::uniform_index(r, 5)];
    for (int c : counts) CHECK(c > 850);
}
