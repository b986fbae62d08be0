// jhr/backends/cuda/activation.hpp against the reference: ReLU and PReLU, forward and backward,
// at the paper's FRNET shapes (convolutional and inner-product PReLU), with and without the bias
// of the convolution before it.
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

TEST_CASE("cuda relu agrees with the reference, with and without a bias" * jhr::testing::needs_gpu()) {
    const std::size_t n = 2 * 64 * 114 * 98;
    std::mt19937 rng(11);
    auto x = random_vector(n, rng);
    x[0] = 0.0f; // the kink: both backends pass no gradient at exactly 0
    const auto dy = random_vector(n, rng);
    const auto dx_dev = to_device(x), ddy = to_device(dy);
    std::vector<float> y_ref(n), dx_ref(n);
    jhr::reference::relu_forward(n, x.data(), y_ref.data());
    jhr::reference::relu_backward(n, x.data(), dy.data(), dx_ref.data());
    jhr::cuda::buffer<float> y(n), dx(n);
    jhr::cuda::relu_forward(n, dx_dev.data(), y.data());
    jhr::cuda::relu_backward(n, dx_dev.data(), ddy.data(), dx.data());
    CHECK(to_host(y) == y_ref);
    CHECK(to_host(dx) == dx_ref);

    // With the bias of the convolution before it: the reference's bias_relu, which is its relu at
    // x + bias, and the CUDA one.
    const jhr::channel_geometry g{2, 64, 114 * 98};
    const auto bias = random_vector(std::size_t(g.channels), rng);
    std::vector<float> biased(x), dbias_ref(std::size_t(g.channels));
    for (std::size_t i = 0; i < n; ++i) biased[i] += bias[i / std::size_t(g.spatial) % g.channels];
    jhr::reference::relu_forward(n, biased.data(), y_ref.data());
    jhr::reference::relu_backward(n, biased.data(), dy.data(), dx_ref.data());
    std::vector<float> y_biased(n), dx_biased(n);
    jhr::reference::bias_relu_forward(g, x.data(), bias.data(), y_biased.data());
    jhr::reference::bias_relu_backward(g, x.data(), bias.data(), dy.data(), dx_biased.data(),
                                       dbias_ref.data());
    CHECK(y_biased == y_ref);
    CHECK(dx_biased == dx_ref);
    double channel0 = 0; // dbias[0]: the sum of channel 0's dx
    for (int b = 0; b < g.batch; ++b)
        for (int p = 0; p < g.spatial; ++p) channel0 += dx_ref[std::size_t(b) * g.channels * g.spatial + p];
    CHECK(std::abs(dbias_ref[0] - channel0) <= 1e-5 * std::abs(channel0) + 1e-6);

    const auto dbias_dev = to_device(bias);
    jhr::cuda::buffer<float> dbias(std::size_t(g.channels));
    jhr::cuda::fill(dbias.size(), 1e6f, dbias.data()); // written, not accumulated
    jhr::cuda::bias_relu_forward(g, dx_dev.data(), dbias_dev.data(), y.data());
    jhr::cuda::bias_relu_backward(g, dx_dev.data(), dbias_dev.data(), ddy.data(), dx.data(), dbias.data());
    CHECK(to_host(y) == y_ref);
    CHECK(to_host(dx) == dx_ref);
    CHECK(relative_difference(to_host(dbias), dbias_ref) < agreement_tolerance);
}

TEST_CASE("cuda prelu agrees with the reference, forward and backward" * jhr::testing::needs_gpu()) {
    const jhr::channel_geometry geometries[] = {
        {2, 64, 57 * 49},              // FRNET after the first pooling
        {2, 512, 5 * 4},               // FRNET's last residual stage
        {128, 512, 1},                 // the inner-product PReLU at the paper's batch size
        {16, 64, 114 * 98},            // FRNET's first PReLU, one block per sample and channel
        {3, 5, 7},          {0, 4, 9}, // an empty batch: dx empty, dalpha zero
    };
    for (const auto& g : geometries) {
        CAPTURE(g.batch);
        CAPTURE(g.channels);
        CAPTURE(g.spatial);
        std::mt19937 rng{unsigned(g.size())};
        const auto x = random_vector(g.size(), rng), dy = random_vector(g.size(), rng);
        const auto alpha = random_vector(std::size_t(g.channels), rng, 0.0f, 0.5f);
        const auto dx_dev = to_device(x), ddy = to_device(dy), dalpha_dev = to_device(alpha);

        std::vector<float> y_ref(g.size()), dx_ref(g.size()), dalpha_ref(std::size_t(g.channels));
        jhr::reference::prelu_forward(g, x.data(), alpha.data(), y_ref.data());
        jhr::reference::prelu_backward(g, x.data(), alpha.data(), dy.data(), dx_ref.data(),
                                       dalpha_ref.data());

        jhr::cuda::buffer<float> y(g.size()), dx(g.size()), dalpha(std::size_t(g.channels));
        jhr::cuda::fill(dalpha.size(), 1e6f, dalpha.data()); // written, not accumulated
        jhr::cuda::prelu_forward(g, dx_dev.data(), dalpha_dev.data(), y.data());
        jhr::cuda::prelu_backward(g, dx_dev.data(), dalpha_dev.data(), ddy.data(), dx.data(), dalpha.data());
        CHECK(relative_difference(to_host(y), y_ref) < agreement_tolerance);
        CHECK(relative_difference(to_host(dx), dx_ref) < agreement_tolerance);
        CHECK(relative_difference(to_host(dalpha), dalpha_ref) < agreement_tolerance);

        // With a bias: the reference's bias_prelu, and also its composition from prelu at z + bias.
        const auto bias = random_vector(std::size_t(g.channels), rng);
        std::vector<float> biased(x);
        for (std::size_t i = 0; i < g.size(); ++i) biased[i] += bias[i / std::size_t(g.spatial) % g.channels];
        std::vector<float> dbias_ref(std::size_t(g.channels));
        jhr::reference::bias_prelu_forward(g, x.data(), bias.data(), alpha.data(), y_ref.data());
        jhr::reference::bias_prelu_backward(g, x.data(), bias.data(), alpha.data(), dy.data(), dx_ref.data(),
                                            dbias_ref.data(), dalpha_ref.data());
        std::vector<float> y_composed(g.size()), dx_composed(g.size()),
            dalpha_composed(std::size_t(g.channels));
        jhr::reference::prelu_forward(g, biased.data(), alpha.data(), y_composed.data());
        jhr::reference::prelu_backward(g, biased.data(), alpha.data(), dy.data(), dx_composed.data(),
                                       dalpha_composed.data());
        CHECK(y_ref == y_composed);
        CHECK(dx_ref == dx_composed);
        CHECK(relative_difference(dalpha_ref, dalpha_composed) < 1e-6);

        const auto dbias_dev = to_device(bias);
        jhr::cuda::buffer<float> dbias(std::size_t(g.channels));
        jhr::cuda::fill(dbias.size(), 1e6f, dbias.data());
        jhr::cuda::fill(dalpha.size(), 1e6f, dalpha.data());
        jhr::cuda::bias_prelu_forward(g, dx_dev.data(), dbias_dev.data(), dalpha_dev.data(), y.data());
        jhr::cuda::bias_prelu_backward(g, dx_dev.data(), dbias_dev.data(), dalpha_dev.data(), ddy.data(),
                                       dx.data(), dbias.data(), dalpha.data());
        CHECK(relative_difference(to_host(y), y_ref) < agreement_tolerance);
        CHECK(relative_difference(to_host(dx), dx_ref) < agreement_tolerance);
        CHECK(relative_difference(to_host(dbias), dbias_ref) < agreement_tolerance);
        CHECK(relative_difference(to_host(dalpha), dalpha_ref) < agreement_tolerance);

        // With a skip term too: the reference's is its bias_prelu plus the skip.
        const auto skip = random_vector(g.size(), rng);
        std::vector<float> y_residual(g.size());
        jhr::reference::bias_prelu_residual_forward(g, x.data(), bias.data(), alpha.data(), skip.data(),
                                                    y_residual.data());
        for (std::size_t i = 0; i < g.size(); ++i) y_ref[i] += skip[i];
        CHECK(y_residual == y_ref);
        const auto skip_dev = to_device(skip);
        jhr::cuda::bias_prelu_residual_forward(g, dx_dev.data(), dbias_dev.data(), dalpha_dev.data(),
                                               skip_dev.data(), y.data());
        CHECK(relative_difference(to_host(y), y_ref) < agreement_tolerance);
    }
}
