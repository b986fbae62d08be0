#include "support/backends.hpp"
#include "support/gradient_check.hpp"

#include "jhr/layers/conv2d.hpp"
#include "jhr/layers/linear.hpp"
#include "jhr/layers/max_pool2d.hpp"
#include "jhr/layers/prelu.hpp"
#include "jhr/layers/relu.hpp"
#include "jhr/layers/sequential.hpp"

JHR_TYPED_TEST("sequential: shapes, names and end-to-end gradients", B) {
    using net_t =
        jhr::sequential<B, jhr::conv2d<B>, jhr::prelu<B>, jhr::max_pool2d<B>, jhr::relu<B>, jhr::linear<B>>;
    net_t net(jhr::conv2d<B>({2, 3, 3, 1, 0}), jhr::prelu<B>(3), jhr::max_pool2d<B>(), jhr::relu<B>(),
              jhr::linear<B>(3 * 2 * 2, 4));
    CHECK(net.output_shape({2, 2, 6, 6}) == jhr::shape{2, 4, 1, 1});
    std::vector<std::string> names;
    net.for_each_parameter([&](std::string_view n, jhr::parameter<B>&) { names.emplace_back(n); });
    CHECK(names == std::vector<std::string>{"0.weight", "0.bias", "1.alpha", "4.weight", "4.bias"});
    jhr::rng r(29);
    net.initialize(r);
    // Max pooling and ReLU make the function piecewise: a smaller step keeps kinks uncrossed.
    jhr::testing::check_layer_gradients<B>(net, {2, 2, 6, 6}, r, {.eps = 2e-3f, .tolerance = 2e-3});
}

JHR_TYPED_TEST("sequential: a shape error names the layer input", B) {
    jhr::sequential<B, jhr::conv2d<B>, jhr::linear<B>> net(jhr::conv2d<B>({1, 1, 3, 1, 0}),
                                                           jhr::linear<B>(4, 2));
    CHECK_THROWS_AS(net.output_shape({1, 1, 5, 5}), jhr::shape_error);
}
