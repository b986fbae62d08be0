// jhr/backends/cuda/arithmetic.hpp against the reference, across one and many thread blocks.
#include "backends/agreement.hpp"
#include "gpu.hpp"

#include "jhr/backends/reference.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using jhr::testing::agreement_tolerance;
using jhr::testing::random_vector;
using jhr::testing::relative_difference;
using jhr::testing::to_device;
using jhr::testing::to_host;

namespace {

// One partial block, several blocks, and more elements than the capped grid covers in one pass.
const std::size_t sizes[] = {1, 255, 4097, (std::size_t(1) << 21) + 3};

} // namespace

TEST_CASE("cuda fill, add, scale and axpy agree with the reference" * jhr::testing::needs_gpu()) {
    for (const std::size_t n : sizes) {
        CAPTURE(n);
        std::mt19937 rng{unsigned(n)};
        const auto a = random_vector(n, rng), b = random_vector(n, rng);
        const auto da = to_device(a), db = to_device(b);

        jhr::cuda::buffer<float> y(n);
        jhr::cuda::fill(n, 0.75f, y.data());
        CHECK(to_host(y) == std::vector<float>(n, 0.75f));

        std::vector<float> expected(n);
        jhr::reference::add(n, a.data(), b.data(), expected.data());
        jhr::cuda::add(n, da.data(), db.data(), y.data());
        CHECK(relative_difference(to_host(y), expected) < agreement_tolerance);

        jhr::reference::scale(n, -1.5f, expected.data());
        jhr::cuda::scale(n, -1.5f, y.data());
        CHECK(relative_difference(to_host(y), expected) < agreement_tolerance);

        jhr::reference::axpy(n, 0.3f, a.data(), expected.data());
        jhr::cuda::axpy(n, 0.3f, da.data(), y.data());
        CHECK(relative_difference(to_host(y), expected) < agreement_tolerance);
    }
}

TEST_CASE("cuda sum and dot return the reference's double sums" * jhr::testing::needs_gpu()) {
    for (const std::size_t n : sizes) {
        CAPTURE(n);
        std::mt19937 rng(unsigned(n) + 1);
        const auto a = random_vector(n, rng, 0.0f, 1.0f), b = random_vector(n, rng);
        const auto da = to_device(a), db = to_device(b);
        const double sum = jhr::reference::sum(n, a.data()), dot = jhr::reference::dot(n, a.data(), b.data());
        // Both accumulate in double, in different orders: agreement far below float rounding.
        CHECK(std::abs(jhr::cuda::sum(n, da.data()) - sum) <= 1e-9 * std::abs(sum) + 1e-12);
        CHECK(std::abs(jhr::cuda::dot(n, da.data(), db.data()) - dot) <= 1e-9 * double(n) + 1e-12);
        CHECK(jhr::cuda::sum(n, da.data()) == jhr::cuda::sum(n, da.data())); // repeatable bit for bit
    }
    CHECK(jhr::cuda::sum(0, nullptr) == 0.0);
    CHECK(jhr::cuda::dot(0, nullptr, nullptr) == 0.0);
}
