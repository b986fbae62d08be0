// jhr/backends/cuda/optimizer.hpp: the Caffe-style SGD step equals the reference's, over several steps,
// and the batched step equals the step of each tensor, in one kernel.
#include "backends/agreement.hpp"
#include "gpu.hpp"

#include "jhr/backends/reference.hpp"

#include <doctest/doctest.h>

#include <cstdint>
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

TEST_CASE("cuda sgd_momentum_update_all updates every tensor as sgd_momentum_update does, bit for bit" *
          jhr::testing::needs_gpu()) {
    // Empty tensors between others, one element, ragged sizes; rates and decays per tensor.
    const std::size_t sizes[] = {0, 1, 300, 512 * 10 + 7, 0, 64, 3};
    const float rates[] = {0.1f, 0.01f, 1e-5f, 0.1f, 0.5f, 0.02f, 0.3f};
    const float decays[] = {5e-4f, 0.0f, 5e-4f, 5e-4f, 0.0f, 0.0f, 1e-2f};
    std::mt19937 rng(8);
    struct state {
        jhr::cuda::buffer<float> w, dw, velocity;
    };
    std::vector<state> one_by_one, all_at_once;
    for (const std::size_t n : sizes) {
        const auto w = random_vector(n, rng), dw = random_vector(n, rng),
                   v = random_vector(n, rng, -0.01f, 0.01f);
        one_by_one.push_back({to_device(w), to_device(dw), to_device(v)});
        all_at_once.push_back({to_device(w), to_device(dw), to_device(v)});
    }
    std::vector<jhr::sgd_parameter> batch;
    for (std::size_t t = 0; t < all_at_once.size(); ++t)
        batch.push_back({sizes[t], rates[t], decays[t], all_at_once[t].w.data(), all_at_once[t].dw.data(),
                         all_at_once[t].velocity.data()});
    for (int step = 0; step < 3; ++step) {
        for (std::size_t t = 0; t < one_by_one.size(); ++t)
            jhr::cuda::sgd_momentum_update(sizes[t], rates[t], 0.9f, decays[t], one_by_one[t].w.data(),
                                           one_by_one[t].dw.data(), one_by_one[t].velocity.data());
        const std::uint64_t calls = jhr::cuda::device_calls();
        jhr::cuda::sgd_momentum_update_all(batch, 0.9f);
        CHECK(jhr::cuda::device_calls() - calls == 1); // one kernel for the seven tensors
    }
    for (std::size_t t = 0; t < one_by_one.size(); ++t) {
        CAPTURE(t);
        CHECK(to_host(all_at_once[t].w) == to_host(one_by_one[t].w));
        CHECK(to_host(all_at_once[t].velocity) == to_host(one_by_one[t].velocity));
    }
    jhr::cuda::sgd_momentum_update_all({}, 0.9f); // nothing to update
}
