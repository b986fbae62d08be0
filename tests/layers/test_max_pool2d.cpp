#include "support/backends.hpp"
#include "support/gradient_check.hpp"

#include "jhr/layers/max_pool2d.hpp"

#include <numeric>

JHR_TYPED_TEST("max_pool2d: forward and routed gradient", B) {
    jhr::max_pool2d<B> pool;
    jhr::host_tensor x = {
        {{{1.f, 5.f, 2.f, 0.f, 9.f}, {3.f, 4.f, 8.f, 1.f, 9.f}, {0.f, 0.f, 0.f, 0.f, 9.f}}}};
    const auto input = jhr::tensor<B>::from_host(x); // must outlive backward()
    const auto y = pool.forward(input).to_host();
    REQUIRE(y.shape(2) == 1); // floor: 3 rows -> 1, 5 columns -> 2
    REQUIRE(y.shape(3) == 2);
    CHECK(y(0, 0, 0, 0) == 5.0f);
    CHECK(y(0, 0, 0, 1) == 8.0f);
    const auto dx = pool.backward(jhr::tensor<B>::from_host(jhr::host_tensor{{{{10.0f, 20.0f}}}})).to_host();
    CHECK(dx(0, 0, 0, 1) == 10.0f);
    CHECK(dx(0, 0, 1, 2) == 20.0f);
    CHECK(std::accumulate(dx.begin(), dx.end(), 0.0f) == 30.0f);
}

JHR_TYPED_TEST("max_pool2d: finite-difference gradients on distinct inputs", B) {
    jhr::rng r(9);
    for (const jhr::shape in : {jhr::shape{2, 3, 6, 6}, jhr::shape{1, 2, 7, 5}}) {
        // A shuffled ramp with steps of 0.1 > 2 eps keeps every window's maximum unique.
        jhr::host_tensor x = jhr::host_tensor::from_shape(
            {std::size_t(in.n), std::size_t(in.c), std::size_t(in.h), std::size_t(in.w)});
        std::vector<float> values(x.size());
        for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.1f * float(i) - 3.0f;
        for (std::size_t i = values.size() - 1; i > 0; --i)
            std::swap(values[i], values[jhr::uniform_index(r, i + 1)]);
        std::copy(values.begin(), values.end(), x.begin());
        jhr::max_pool2d<B> pool;
        jhr::testing::check_layer_gradients<B>(pool, in, r, {}, &x);
    }
}

JHR_TYPED_TEST("max_pool2d: input smaller than the window", B) {
    jhr::max_pool2d<B> pool;
    CHECK_THROWS_AS(pool.forward(jhr::tensor<B>(jhr::shape{1, 1, 1, 4}, 0.0f)), jhr::shape_error);
}
