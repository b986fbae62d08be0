// jhr/backends/cuda/optimizer.hpp: the Caffe-style SGD step equals the reference's, over several steps.
#include "backends/agreement.hpp"
#include "gpu.hpp"

#include "jhr/backends/reference.hpp"

#include <doctest/doctest.h>

#include <vector>

using jhr::testing::agreement_tolerance;
using jhr::testing::random_vector;
using jhr::testing::relative_difference;
using jhr::testing::to_device;
using jhr::testing::to_host;

TEST_CASE("cuda sgd_momentum_update agrees with the reference over three steps" * jhr::testing::needs_gpu()) {
    const std::size_t n = 512 * 10240 + 7; // the FRNET inner product's weights, plus a ragged tail
    std::mt19937 rng(5);
    auto w = random_vector(n, rng), velocity = random_vector(n, rng, -0.01f, 0.01f);
    auto dw_w = to_device(w), dv = to_device(velocity);
    for (int step = 0; step < 3; ++step) {
        const auto dw = random_vector(n, rng);
        const auto ddw = to_device(dw);
        jhr::reference::sgd_momentum_update(n, 0.01f, 0.9f, 5e-4f, w.data(), dw.data(), velocity.data());
        jhr::cuda::sgd_momentum_update(n, 0.01f, 0.9f, 5e-4f, dw_w.data(), ddw.data(), dv.data());
    }
    CHECK(relative_difference(to_host(dw_w), w) < agreement_tolerance);
    CHECK(relative_difference(to_host(dv), velocity) < agreement_tolerance);
}
