#include "support/backends.hpp"
#include "support/gradient_check.hpp"

#include "jhr/layers/conv2d.hpp"

JHR_TYPED_TEST("conv2d: forward on a hand-computed example", B) {
    // 1x1x3x3 input 1..9, one 2x2 kernel [[1, 0], [0, -1]], bias 0.5, stride 1, pad 0:
    // y[i][j] = x[i][j] - x[i+1][j+1] + 0.5 = -4 + 0.5 everywhere.
    jhr::conv2d<B> conv({1, 1, 2, 1, 0});
    jhr::host_tensor w = {{{{1.0f, 0.0f}, {0.0f, -1.0f}}}};
    conv.for_each_parameter([&](std::string_view name, jhr::parameter<B>& p) {
        if (name == "weight")
            p.value.assign(w);
        else
            p.value.fill(0.5f);
    });
    jhr::host_tensor x = {{{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}}};
    const auto y = conv.forward(jhr::tensor<B>::from_host(x)).to_host();
    REQUIRE(y.shape(2) == 2);
    for (float v : y) CHECK(v == doctest::Approx(-3.5f));
}

JHR_TYPED_TEST("conv2d: padding and stride on a hand-computed example", B) {
    // 3x3 all-ones kernel, pad 1, stride 2 over a 1x1x3x3 input of ones: corners see 4 ones,
    // so every output (2x2) is 4.
    jhr::conv2d<B> conv({1, 1, 3, 2, 1, false});
    conv.for_each_parameter([](std::string_view, jhr::parameter<B>& p) { p.value.fill(1.0f); });
    const auto y = conv.forward(jhr::tensor<B>(jhr::shape{1, 1, 3, 3}, 1.0f)).to_host();
    CHECK(y.shape(2) == 2);
    CHECK(y.shape(3) == 2);
    for (float v : y) CHECK(v == 4.0f);
}

JHR_TYPED_TEST("conv2d: finite-difference gradients on random shapes", B) {
    jhr::rng r(11);
    struct config {
        jhr::conv2d_options o;
        jhr::shape in;
    };
    const config configs[] = {
        {{3, 4, 3, 1, 0}, {2, 3, 7, 6}},        // FRNET stage convolution (3x3, pad 0)
        {{4, 4, 3, 1, 1}, {2, 4, 5, 5}},        // residual convolution (3x3, pad 1)
        {{3, 5, 5, 1, 0}, {1, 3, 9, 8}},        // SRNET-like large kernel
        {{5, 3, 1, 1, 0}, {3, 5, 4, 3}},        // 1x1
        {{2, 3, 3, 2, 1, false}, {2, 2, 7, 8}}, // stride 2, no bias
    };
    for (const config& c : configs) {
        jhr::conv2d<B> conv(c.o);
        conv.initialize(r);
        jhr::testing::check_layer_gradients<B>(conv, c.in, r);
    }
}

JHR_TYPED_TEST("conv2d: shape errors name the shapes", B) {
    jhr::conv2d<B> conv({3, 8, 3, 1, 0});
    CHECK_THROWS_WITH_AS(conv.forward(jhr::tensor<B>(jhr::shape{1, 4, 8, 8}, 0.0f)),
                         doctest::Contains("[1, 4, 8, 8]"), jhr::shape_error);
    CHECK_THROWS_AS(conv.forward(jhr::tensor<B>(jhr::shape{1, 3, 2, 8}, 0.0f)), jhr::shape_error);
    const jhr::tensor<B> input(jhr::shape{1, 3, 8, 8}, 0.0f); // must outlive backward()
    conv.forward(input);
    CHECK_THROWS_AS(conv.backward(jhr::tensor<B>(jhr::shape{1, 8, 5, 5}, 0.0f)), jhr::shape_error);
    CHECK_THROWS_AS(jhr::conv2d<B>({0, 8, 3, 1, 0}), jhr::shape_error);
}

JHR_TYPED_TEST("conv2d: backward before forward is an error", B) {
    jhr::conv2d<B> conv({1, 1, 1, 1, 0});
    CHECK_THROWS_AS(conv.backward(jhr::tensor<B>(jhr::shape{1, 1, 1, 1}, 0.0f)), jhr::error);
}
