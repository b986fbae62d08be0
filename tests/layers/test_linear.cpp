#include "support/backends.hpp"
#include "support/gradient_check.hpp"

#include "jhr/layers/linear.hpp"

JHR_TYPED_TEST("linear: y = x W^T + b on a hand-computed example", B) {
    jhr::linear<B> fc(3, 2);
    fc.for_each_parameter([](std::string_view name, jhr::parameter<B>& p) {
        if (name == "weight")
            p.value.assign(jhr::host_tensor{{{{1.0f}}, {{2.0f}}, {{3.0f}}}, {{{0.0f}}, {{-1.0f}}, {{1.0f}}}});
        else
            p.value.assign(jhr::host_tensor{{{{0.5f}}}, {{{-0.5f}}}});
    });
    jhr::host_tensor x = {{{{1.0f}}, {{1.0f}}, {{1.0f}}}, {{{1.0f}}, {{0.0f}}, {{2.0f}}}};
    const auto y = fc.forward(jhr::tensor<B>::from_host(x)).to_host();
    CHECK(y(0, 0, 0, 0) == 6.5f);
    CHECK(y(0, 1, 0, 0) == -0.5f);
    CHECK(y(1, 0, 0, 0) == 7.5f);
    CHECK(y(1, 1, 0, 0) == 1.5f);
}

JHR_TYPED_TEST("linear: finite-difference gradients, flattening spatial inputs", B) {
    jhr::rng r(13);
    jhr::linear<B> a(2 * 3 * 2, 5);
    a.initialize(r);
    jhr::testing::check_layer_gradients<B>(a, {3, 2, 3, 2}, r);
    jhr::linear<B> b(7, 4, false);
    b.initialize(r);
    jhr::testing::check_layer_gradients<B>(b, {5, 7, 1, 1}, r);
}

JHR_TYPED_TEST("linear: wrong feature count", B) {
    jhr::linear<B> fc(12, 4);
    CHECK_THROWS_WITH_AS(fc.forward(jhr::tensor<B>(jhr::shape{2, 3, 2, 1}, 0.0f)),
                         doctest::Contains("[2, 3, 2, 1]"), jhr::shape_error);
}
