// jhr/backends/onednn/pooling.hpp against the reference max pooling.
#include "agreement.hpp"

#include "jhr/backends/onednn.hpp"
#include "jhr/backends/reference.hpp"

#include <doctest/doctest.h>

#include <limits>
#include <vector>

using jhr::testing::random_vector;
using jhr::testing::relative_difference;

TEST_CASE("onednn max pooling agrees with the reference, forward and backward, odd sizes included") {
    std::vector<jhr::pool2d_geometry> list = {
        {2, 3, 8, 8, 2, 2}, {2, 3, 9, 7, 2, 2}, {1, 4, 11, 13, 3, 2}, {1, 3, 7, 9, 3, 3}, {2, 2, 5, 6, 2, 1},
    };
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> channels(1, 5), size(4, 15), window(2, 3), stride(1, 3);
    for (int i = 0; i < 4; ++i)
        list.push_back({2, channels(rng), size(rng), size(rng), window(rng), stride(rng)});

    for (const auto& g : list) {
        CAPTURE(g.channels);
        CAPTURE(g.in_height);
        CAPTURE(g.in_width);
        CAPTURE(g.window);
        CAPTURE(g.stride);
        const auto x = random_vector(g.input().size(), rng), dy = random_vector(g.output().size(), rng);
        const float nan = std::numeric_limits<float>::quiet_NaN();

        std::vector<float> y_ref(g.output().size()), ws_ref(jhr::reference::max_pool2d_workspace(g));
        std::vector<float> y(g.output().size(), nan), ws(jhr::onednn::max_pool2d_workspace(g), nan);
        CHECK(ws.size() > 0);
        jhr::reference::max_pool2d_forward(g, x.data(), y_ref.data(), ws_ref.data());
        jhr::onednn::max_pool2d_forward(g, x.data(), y.data(), ws.data());
        CHECK(relative_difference(y, y_ref) < jhr::testing::agreement_tolerance);

        std::vector<float> dx_ref(g.input().size()), dx(g.input().size(), nan);
        jhr::reference::max_pool2d_backward(g, ws_ref.data(), dy.data(), dx_ref.data());
        jhr::onednn::max_pool2d_backward(g, ws.data(), dy.data(), dx.data());
        CHECK(relative_difference(dx, dx_ref) < jhr::testing::agreement_tolerance);
    }
}

TEST_CASE("onednn max pooling backward uses the workspace of the forward call, not a recomputation") {
    // Two inputs with different argmax; backward with the first workspace routes dy like the first.
    const jhr::pool2d_geometry g{1, 1, 2, 2, 2, 2};
    const std::vector<float> first = {4, 1, 2, 3}, second = {1, 2, 3, 4};
    std::vector<float> y(1), ws_first(jhr::onednn::max_pool2d_workspace(g)), ws_second(ws_first.size());
    jhr::onednn::max_pool2d_forward(g, first.data(), y.data(), ws_first.data());
    CHECK(y[0] == 4.0f);
    jhr::onednn::max_pool2d_forward(g, second.data(), y.data(), ws_second.data());
    CHECK(y[0] == 4.0f);
    const std::vector<float> dy = {5};
    std::vector<float> dx(4, -1.0f);
    jhr::onednn::max_pool2d_backward(g, ws_first.data(), dy.data(), dx.data());
    CHECK(dx == std::vector<float>{5, 0, 0, 0});
    jhr::onednn::max_pool2d_backward(g, ws_second.data(), dy.data(), dx.data());
    CHECK(dx == std::vector<float>{0, 0, 0, 5});
}
