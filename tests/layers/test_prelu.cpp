#include "support/backends.hpp"
#include "support/gradient_check.hpp"

#include "jhr/layers/prelu.hpp"

JHR_TYPED_TEST("prelu: per-channel slopes", B) {
    jhr::prelu<B> layer(2);
    layer.for_each_parameter([](std::string_view, jhr::parameter<B>& p) {
        p.value.assign(jhr::host_tensor{{{{0.5f}}}, {{{-1.0f}}}});
    });
    jhr::host_tensor x = {{{{-2.0f, 4.0f}}, {{-3.0f, 1.0f}}}};
    const auto y = layer.forward(jhr::tensor<B>::from_host(x)).to_host();
    CHECK(y(0, 0, 0, 0) == -1.0f);
    CHECK(y(0, 0, 0, 1) == 4.0f);
    CHECK(y(0, 1, 0, 0) == 3.0f);
    CHECK(y(0, 1, 0, 1) == 1.0f);
}

JHR_TYPED_TEST("prelu: finite-difference gradients for input and slopes", B) {
    jhr::rng r(5);
    for (const jhr::shape in : {jhr::shape{2, 3, 4, 4}, jhr::shape{4, 5, 1, 1}, jhr::shape{1, 1, 3, 7}}) {
        jhr::prelu<B> layer(in.c, 0.3f);
        jhr::testing::check_layer_gradients<B>(layer, in, r);
    }
}

JHR_TYPED_TEST("prelu: channel mismatch names the shape", B) {
    jhr::prelu<B> layer(3);
    CHECK_THROWS_WITH_AS(layer.forward(jhr::tensor<B>(jhr::shape{1, 4, 2, 2}, 0.0f)),
                         doctest::Contains("[1, 4, 2, 2]"), jhr::shape_error);
}
