// jhr/backends/onednn/host_parallel.hpp against the reference PReLU, add and SGD update, on tensors
// large enough to take the parallel path and on small ones that stay on the calling thread.
#include "agreement.hpp"

#include "jhr/backends/onednn.hpp"
#include "jhr/backends/reference.hpp"

#include <doctest/doctest.h>

#include <vector>

using jhr::testing::random_vector;
using jhr::testing::relative_difference;

TEST_CASE("onednn host prelu agrees with the reference above and below the parallel threshold") {
    std::mt19937 rng(21);
    for (const jhr::channel_geometry g :
         {jhr::channel_geometry{4, 64, 1101}, jhr::channel_geometry{3, 5, 7}}) {
        CAPTURE(g.size());
        CHECK((g.size() >= jhr::backends::onednn_host_parallel::parallel_threshold) == (g.channels == 64));
        const auto x = random_vector(g.size(), rng), dy = random_vector(g.size(), rng),
                   alpha = random_vector(std::size_t(g.channels), rng, 0.0f, 0.5f);
        std::vector<float> y(g.size()), y_ref(g.size()), dx(g.size()), dx_ref(g.size()), da(g.channels),
            da_ref(g.channels);
        jhr::reference::prelu_forward(g, x.data(), alpha.data(), y_ref.data());
        jhr::onednn::prelu_forward(g, x.data(), alpha.data(), y.data());
        CHECK(relative_difference(y, y_ref) < jhr::testing::agreement_tolerance);
        jhr::reference::prelu_backward(g, x.data(), alpha.data(), dy.data(), dx_ref.data(), da_ref.data());
        jhr::onednn::prelu_backward(g, x.data(), alpha.data(), dy.data(), dx.data(), da.data());
        CHECK(relative_difference(dx, dx_ref) < jhr::testing::agreement_tolerance);
        CHECK(relative_difference(da, da_ref) < jhr::testing::agreement_tolerance);
    }
}

TEST_CASE("onednn host prelu on nChw16c and nhwc agrees with the reference on nchw") {
    std::mt19937 rng(22);
    for (const jhr::layout l : {jhr::layout::nchw16c, jhr::layout::nhwc}) {
        for (const jhr::channel_geometry plain :
             {jhr::channel_geometry{4, 32, 2101}, jhr::channel_geometry{2, 16, 35}}) {
            CAPTURE(jhr::name(l));
            CAPTURE(plain.size());
            const jhr::shape s{plain.batch, plain.channels, plain.spatial, 1};
            const auto x = random_vector(plain.size(), rng), dy = random_vector(plain.size(), rng),
                       alpha = random_vector(std::size_t(plain.channels), rng, 0.0f, 0.5f);
            std::vector<float> y_ref(plain.size()), dx_ref(plain.size()), da_ref(plain.channels);
            jhr::reference::prelu_forward(plain, x.data(), alpha.data(), y_ref.data());
            jhr::reference::prelu_backward(plain, x.data(), alpha.data(), dy.data(), dx_ref.data(),
                                           da_ref.data());

            std::vector<float> xl(plain.size()), dyl(plain.size()), yl(plain.size()), dxl(plain.size()),
                y(plain.size()), dx(plain.size()), da(plain.channels);
            jhr::onednn::relayout(s, jhr::layout::nchw, x.data(), l, xl.data());
            jhr::onednn::relayout(s, jhr::layout::nchw, dy.data(), l, dyl.data());
            jhr::channel_geometry g = plain;
            g.data_layout = l;
            jhr::onednn::prelu_forward(g, xl.data(), alpha.data(), yl.data());
            jhr::onednn::prelu_backward(g, xl.data(), alpha.data(), dyl.data(), dxl.data(), da.data());
            jhr::onednn::relayout(s, l, yl.data(), jhr::layout::nchw, y.data());
            jhr::onednn::relayout(s, l, dxl.data(), jhr::layout::nchw, dx.data());
            CHECK(y == y_ref); // element-wise: exact in any order
            CHECK(dx == dx_ref);
            CHECK(relative_difference(da, da_ref) < jhr::testing::agreement_tolerance);
        }
    }
}

TEST_CASE("onednn host add and sgd update agree with the reference on a large tensor") {
    std::mt19937 rng(22);
    const std::size_t n = 300001;
    const auto a = random_vector(n, rng), b = random_vector(n, rng), dw = random_vector(n, rng);
    std::vector<float> y(n), y_ref(n);
    jhr::reference::add(n, a.data(), b.data(), y_ref.data());
    jhr::onednn::add(n, a.data(), b.data(), y.data());
    CHECK(y == y_ref);

    auto w = random_vector(n, rng), v = random_vector(n, rng);
    auto w_ref = w, v_ref = v;
    jhr::reference::sgd_momentum_update(n, 0.1f, 0.9f, 5e-4f, w_ref.data(), dw.data(), v_ref.data());
    jhr::onednn::sgd_momentum_update(n, 0.1f, 0.9f, 5e-4f, w.data(), dw.data(), v.data());
    CHECK(relative_difference(w, w_ref) < jhr::testing::agreement_tolerance);
    CHECK(relative_difference(v, v_ref) < jhr::testing::agreement_tolerance);
}
