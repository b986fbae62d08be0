// jhr/backends/cuda/pooling.hpp against the reference: outputs, recorded argmax indices and input
// gradients, at the paper's 2x2 stride-2 poolings (odd sizes floor), overlapping windows and ties.
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

namespace {

void check_pooling(const jhr::pool2d_geometry& g, bool ties) {
    CAPTURE(g.batch);
    CAPTURE(g.channels);
    CAPTURE(g.in_height);
    CAPTURE(g.in_width);
    CAPTURE(g.window);
    CAPTURE(g.stride);
    CAPTURE(ties);
    std::mt19937 rng{unsigned(g.in_height * 13 + g.window)};
    auto x = random_vector(g.input().size(), rng);
    if (ties) // three distinct values only: many windows hold several maxima
        for (float& v : x) v = float(int((v + 1.0f) * 1.5f));
    const auto dy = random_vector(g.output().size(), rng);
    const std::size_t workspace_size = jhr::cuda::max_pool2d_workspace(g);
    CHECK(workspace_size == jhr::reference::max_pool2d_workspace(g));

    std::vector<float> y_ref(g.output().size()), ws_ref(workspace_size), dx_ref(g.input().size());
    jhr::reference::max_pool2d_forward(g, x.data(), y_ref.data(), ws_ref.data());
    jhr::reference::max_pool2d_backward(g, ws_ref.data(), dy.data(), dx_ref.data());

    const auto dx_in = to_device(x), ddy = to_device(dy);
    jhr::cuda::buffer<float> y(g.output().size()), ws(workspace_size), dx(g.input().size());
    jhr::cuda::fill(dx.size(), 1e6f, dx.data()); // every input is written, covered or not
    jhr::cuda::max_pool2d_forward(g, dx_in.data(), y.data(), ws.data());
    jhr::cuda::max_pool2d_backward(g, ws.data(), ddy.data(), dx.data());
    CHECK(to_host(y) == y_ref);
    CHECK(to_host(ws) == ws_ref); // the same first maximum is chosen
    CHECK(relative_difference(to_host(dx), dx_ref) < agreement_tolerance);
}

} // namespace

TEST_CASE("cuda max pooling agrees with the reference at the paper's poolings" * jhr::testing::needs_gpu()) {
    for (const bool ties : {false, true}) {
        check_pooling({2, 64, 114, 98, 2, 2}, ties); // FRNET pool 1
        check_pooling({2, 128, 55, 47, 2, 2}, ties); // pool 2: odd sizes floor
        check_pooling({2, 256, 25, 21, 2, 2}, ties);
        check_pooling({2, 512, 10, 8, 2, 2}, ties);
    }
}

TEST_CASE("cuda max pooling agrees with the reference for overlapping and gapped windows" * jhr::testing::needs_gpu()) {
    for (const bool ties : {false, true}) {
        check_pooling({3, 4, 9, 11, 3, 2}, ties);  // overlapping
        check_pooling({2, 3, 8, 7, 3, 1}, ties);   // stride 1
        check_pooling({2, 3, 10, 10, 2, 3}, ties); // gaps: some inputs in no window
        check_pooling({1, 1, 5, 5, 5, 1}, ties);   // one window covers the plane
    }
}
