// jhr/backends/onednn/activation.hpp against the reference ReLU and PReLU.
#include "agreement.hpp"

#include "jhr/backends/onednn.hpp"
#include "jhr/backends/reference.hpp"

#include <doctest/doctest.h>

#include <limits>
#include <vector>

using jhr::testing::random_vector;
using jhr::testing::relative_difference;

TEST_CASE("onednn relu agrees with the reference, forward and backward, zeros included") {
    std::mt19937 rng(3);
    for (const std::size_t n : {1u, 17u, 1000u, 4099u}) {
        CAPTURE(n);
        auto x = random_vector(n, rng);
        x[0] = 0.0f;
        const auto dy = random_vector(n, rng);
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::vector<float> y_ref(n), y(n, nan), dx_ref(n), dx(n, nan);
        jhr::reference::relu_forward(n, x.data(), y_ref.data());
        jhr::onednn::relu_forward(n, x.data(), y.data());
        CHECK(y == y_ref);
        jhr::reference::relu_backward(n, x.data(), dy.data(), dx_ref.data());
        jhr::onednn::relu_backward(n, x.data(), dy.data(), dx.data());
        CHECK(relative_difference(dx, dx_ref) < jhr::testing::agreement_tolerance);
        CHECK(dx[0] == 0.0f);
    }
}

TEST_CASE("onednn prelu agrees with the reference, forward and backward with per-channel alpha") {
    std::mt19937 rng(5);
    for (const jhr::channel_geometry g :
         {jhr::channel_geometry{2, 3, 7}, jhr::channel_geometry{4, 64, 30}, jhr::channel_geometry{3, 5, 1},
          jhr::channel_geometry{1, 16, 57 * 49}}) {
        CAPTURE(g.batch);
        CAPTURE(g.channels);
        CAPTURE(g.spatial);
        const auto x = random_vector(g.size(), rng), dy = random_vector(g.size(), rng);
        const auto alpha = random_vector(g.channels, rng, 0.0f, 0.5f);
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::vector<float> y_ref(g.size()), y(g.size(), nan);
        jhr::reference::prelu_forward(g, x.data(), alpha.data(), y_ref.data());
        jhr::onednn::prelu_forward(g, x.data(), alpha.data(), y.data());
        CHECK(relative_difference(y, y_ref) < jhr::testing::agreement_tolerance);

        std::vector<float> dx_ref(g.size()), dx(g.size(), nan), da_ref(g.channels), da(g.channels, nan);
        jhr::reference::prelu_backward(g, x.data(), alpha.data(), dy.data(), dx_ref.data(), da_ref.data());
        jhr::onednn::prelu_backward(g, x.data(), alpha.data(), dy.data(), dx.data(), da.data());
        CHECK(relative_difference(dx, dx_ref) < jhr::testing::agreement_tolerance);
        CHECK(relative_difference(da, da_ref) < jhr::testing::agreement_tolerance);
    }
}
