// conv2d -> prelu and conv2d -> relu pairs: forward_pair (the bias added inside the activation on a
// BiasActivationEpilogues backend) computes what the two layers compute one by one, forward and
// backward, and the layers go back to their own bias handling after a plain forward.
#include "support/backends.hpp"
#include "support/gradient_check.hpp"
#include "support/relative_difference.hpp"

#include "jhr/layers/conv2d.hpp"
#include "jhr/layers/max_pool2d.hpp"
#include "jhr/layers/prelu.hpp"
#include "jhr/layers/relu.hpp"
#include "jhr/layers/residual_block.hpp"
#include "jhr/layers/sequential.hpp"

#include <string>
#include <type_traits>
#include <vector>

namespace {

using jhr::testing::relative_difference;

std::vector<float> values(const jhr::host_tensor& t) {
    return {t.begin(), t.end()};
}

// A convolution with random weights and a bias far from zero, and an activation after it (a PReLU
// with slopes 0.3 and -0.2).
template <class B, class Activation>
struct pair_of_layers {
    jhr::conv2d<B> conv{{3, 2, 3, 1, 1}};
    Activation act = make();

    static Activation make() {
        if constexpr (std::is_same_v<Activation, jhr::prelu<B>>)
            return Activation(2);
        else
            return Activation();
    }
    explicit pair_of_layers(jhr::rng& r) {
        conv.initialize(r);
        conv.for_each_parameter([&](std::string_view name, jhr::parameter<B>& p) {
            if (name == "bias") p.value.assign(jhr::host_tensor{{{{0.7f}}}, {{{-0.4f}}}});
        });
        act.for_each_parameter([](std::string_view, jhr::parameter<B>& p) {
            p.value.assign(jhr::host_tensor{{{{0.3f}}}, {{{-0.2f}}}});
        });
    }
    // The output, dL/dx, then every parameter gradient, of one step with upstream gradient dy.
    std::vector<std::vector<float>> step(const jhr::tensor<B>& x, const jhr::tensor<B>& dy, bool paired) {
        std::vector<std::vector<float>> out;
        out.push_back(
            values((paired ? jhr::forward_pair(conv, act, x) : act.forward(conv.forward(x))).to_host()));
        out.push_back(values(conv.backward(act.backward(dy)).to_host()));
        const auto grad = [&](std::string_view, jhr::parameter<B>& p) {
            out.push_back(values(p.grad.to_host()));
        };
        conv.for_each_parameter(grad);
        act.for_each_parameter(grad);
        return out;
    }
};

template <class B, class Activation>
void check_pair_equals_layers(std::size_t gradients) {
    jhr::rng r(41);
    const auto x = jhr::testing::random_tensor<B>({2, 3, 6, 5}, r);
    const auto dy = jhr::testing::random_tensor<B>({2, 2, 6, 5}, r);
    pair_of_layers<B, Activation> layers(r);
    const auto apart = layers.step(x, dy, false);
    const auto paired = layers.step(x, dy, true);
    const auto apart_again = layers.step(x, dy, false); // the bias is the convolution's again
    const char* what[] = {"output", "input gradient", "weight gradient", "bias gradient", "alpha gradient"};
    REQUIRE(apart.size() == gradients);
    for (std::size_t i = 0; i < apart.size(); ++i) {
        INFO(what[i]);
        CHECK(relative_difference(paired[i], apart[i]) < 1e-6);
        CHECK(apart_again[i] == apart[i]);
    }
}

template <class B, class Activation>
void check_gradients_in_sequential() {
    jhr::rng r(43);
    pair_of_layers<B, Activation> layers(r);
    jhr::sequential<B, jhr::conv2d<B>, Activation, jhr::max_pool2d<B>> net(
        std::move(layers.conv), std::move(layers.act), jhr::max_pool2d<B>());
    jhr::testing::check_layer_gradients<B>(net, {2, 3, 6, 4}, r, {.tolerance = 1e-2});
}

template <class B, class Activation>
void check_bias_size_error(const char* layer) {
    if constexpr (jhr::BiasActivationEpilogues<B>) {
        Activation act = pair_of_layers<B, Activation>::make();
        jhr::parameter<B> bias(jhr::shape{3, 1, 1, 1}, false);
        const std::string message = std::string(layer) + ": bias [3, 1, 1, 1]";
        CHECK_THROWS_WITH_AS(act.forward_with_bias(jhr::tensor<B>(jhr::shape{1, 2, 2, 2}, 0.0f), bias),
                             doctest::Contains(message.c_str()), jhr::shape_error);
    }
}

} // namespace

JHR_TYPED_TEST("conv2d -> prelu: forward_pair equals the two layers one by one", B) {
    check_pair_equals_layers<B, jhr::prelu<B>>(5);
}
JHR_TYPED_TEST("conv2d -> relu: forward_pair equals the two layers one by one", B) {
    check_pair_equals_layers<B, jhr::relu<B>>(4);
}

JHR_TYPED_TEST("conv2d -> prelu: finite-difference gradients with a bias, paired inside a sequential", B) {
    check_gradients_in_sequential<B, jhr::prelu<B>>();
}
JHR_TYPED_TEST("conv2d -> relu: finite-difference gradients with a bias, paired inside a sequential", B) {
    check_gradients_in_sequential<B, jhr::relu<B>>();
}

JHR_TYPED_TEST("conv2d -> activation: a bias of the wrong size is a shape error", B) {
    check_bias_size_error<B, jhr::prelu<B>>("prelu");
    check_bias_size_error<B, jhr::relu<B>>("relu");
}

JHR_TYPED_TEST(
    "conv2d -> prelu: a sequential runs the pair as one (counted where the backend counts its device "
    "calls)",
    B) {
    if constexpr (requires { B::device_calls(); }) {
        jhr::rng r(47);
        pair_of_layers<B, jhr::prelu<B>> layers(r);
        jhr::sequential<B, jhr::conv2d<B>, jhr::prelu<B>> net(std::move(layers.conv), std::move(layers.act));
        const auto x = jhr::testing::random_tensor<B>({2, 3, 6, 5}, r);
        net.forward(x); // chooses the convolution's algorithm
        const auto calls = B::device_calls();
        net.forward(x);
        CHECK(B::device_calls() - calls == 2); // the convolution and the bias + PReLU kernel
    }
}

JHR_TYPED_TEST("residual_block: the skip sum is added in the second PReLU's pass (counted where the backend "
               "counts its device calls)",
               B) {
    if constexpr (requires { B::device_calls(); }) {
        jhr::rng r(53);
        jhr::residual_block<B> block(4);
        block.initialize(r);
        const auto x = jhr::testing::random_tensor<B>({2, 4, 6, 5}, r);
        block.forward(x); // chooses the convolutions' algorithms
        const auto calls = B::device_calls();
        block.forward(x);
        CHECK(B::device_calls() - calls == 4); // two convolutions, two bias + PReLU kernels, no sum
        if constexpr (requires { B::set_activation_layout(B::activation_layout()); }) {
            // On nhwc activations too: the skip term is already in the sum's layout.
            const auto saved = B::activation_layout();
            B::set_activation_layout(decltype(saved)::nhwc);
            jhr::tensor<B> x_nhwc;
            jhr::convert_layout(x, jhr::layout::nhwc, x_nhwc);
            const auto nchw_y = values(block.forward(x).to_host());
            block.forward(x_nhwc);
            const auto nhwc_calls = B::device_calls();
            const auto& y = block.forward(x_nhwc);
            // Two convolutions with their fp32 filters transposed to krsc, two bias + PReLU kernels.
            CHECK(B::device_calls() - nhwc_calls == 6);
            CHECK(y.layout() == jhr::layout::nhwc);
            CHECK(jhr::testing::relative_difference(values(y.to_host()), nchw_y) < 1e-6);
            B::set_activation_layout(saved);
        }
    }
}
