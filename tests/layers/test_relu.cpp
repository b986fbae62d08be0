#include "support/backends.hpp"
#include "support/gradient_check.hpp"

#include "jhr/layers/relu.hpp"

JHR_TYPED_TEST("relu: forward clamps negatives", B) {
    jhr::relu<B> layer;
    jhr::host_tensor x = {{{{-2.0f, 0.0f, 3.0f}}}};
    const auto y = layer.forward(jhr::tensor<B>::from_host(x)).to_host();
    CHECK(y(0, 0, 0, 0) == 0.0f);
    CHECK(y(0, 0, 0, 1) == 0.0f);
    CHECK(y(0, 0, 0, 2) == 3.0f);
}

JHR_TYPED_TEST("relu: finite-difference gradients", B) {
    jhr::rng r(3);
    jhr::relu<B> layer;
    jhr::testing::check_layer_gradients<B>(layer, {3, 2, 4, 5}, r);
}

JHR_TYPED_TEST("relu: gradient shape mismatch", B) {
    jhr::relu<B> layer;
    const jhr::tensor<B> input(jhr::shape{1, 2, 3, 3}, 1.0f); // must outlive backward()
    layer.forward(input);
    CHECK_THROWS_AS(layer.backward(jhr::tensor<B>(jhr::shape{1, 2, 3, 4}, 1.0f)), jhr::shape_error);
}
