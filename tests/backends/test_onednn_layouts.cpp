// Blocked activations on oneDNN (BlockedLayouts): nChw16c element order, layers that keep
// activations blocked from one to the next and agree with the reference backend, conversion at the
// edges (to_host, linear, losses, a gradient in another layout), and the reorders that remain.
#include "agreement.hpp"
#include "support/gradient_check.hpp"

#include "jhr/backends/onednn.hpp"
#include "jhr/backends/reference.hpp"
#include "jhr/layers/conv2d.hpp"
#include "jhr/layers/linear.hpp"
#include "jhr/layers/max_pool2d.hpp"
#include "jhr/layers/prelu.hpp"
#include "jhr/layers/relu.hpp"
#include "jhr/layers/residual_block.hpp"
#include "jhr/layers/sequential.hpp"
#include "jhr/losses/squared_error.hpp"
#include "jhr/nets/cascade.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

using jhr::testing::random_host;
using jhr::testing::relative_difference;

namespace {

template <class B>
using chain = jhr::sequential<B, jhr::conv2d<B>, jhr::prelu<B>, jhr::max_pool2d<B>, jhr::residual_block<B>,
                              jhr::conv2d<B>, jhr::relu<B>, jhr::linear<B>>;

// 3 -> 16 channels on 14x12, pooled to 7x6, a residual block, 16 -> 32 at stride 2 (4x3), a linear head.
template <class B>
chain<B> make_chain() {
    return chain<B>(jhr::conv2d<B>({3, 16, 3, 1, 1}), jhr::prelu<B>(16), jhr::max_pool2d<B>(),
                    jhr::residual_block<B>(16), jhr::conv2d<B>({16, 32, 3, 2, 1}), jhr::relu<B>(),
                    jhr::linear<B>(32 * 4 * 3, 5));
}

std::vector<float> flat(const jhr::host_tensor& h) {
    return {h.begin(), h.end()};
}

// Parameters of `to` set to those of `from`, visited in the same order.
template <class To, class From>
void copy_parameters(To& to, From& from) {
    std::vector<jhr::host_tensor> values;
    from.for_each_parameter([&](std::string_view, auto& p) { values.push_back(p.value.to_host()); });
    std::size_t i = 0;
    to.for_each_parameter([&](std::string_view, auto& p) { p.value.assign(values.at(i++)); });
}

// Initialises `ref` from `seed` and gives `net` the same parameter values.
template <class Ref, class Net>
void same_parameters(Ref& ref, Net& net, std::uint64_t seed) {
    jhr::rng init(seed);
    ref.initialize(init);
    copy_parameters(net, ref);
}

template <class Net>
std::vector<std::vector<float>> gradients(Net& net) {
    std::vector<std::vector<float>> out;
    net.for_each_parameter([&](std::string_view, auto& p) { out.push_back(flat(p.grad.to_host())); });
    return out;
}

bool blocked_on_this_cpu() {
    return jhr::onednn::conv2d_output_layout({1, 16, 8, 8, 16, 3, 1, 1}) == jhr::layout::nchw16c;
}

} // namespace

TEST_CASE("onednn relayout stores nChw16c as [N][C/16][H][W][16] and nhwc as [N][H][W][C], and converts "
          "back exactly") {
    const jhr::shape s{2, 32, 3, 5};
    // Where element (n, c, h, w) lies in layout l.
    const auto offset = [&s](jhr::layout l, std::size_t n, std::size_t c, std::size_t h, std::size_t w) {
        if (l == jhr::layout::nhwc) return ((n * s.h + h) * s.w + w) * s.c + c;
        return (((n * (s.c / 16) + c / 16) * s.h + h) * s.w + w) * 16 + c % 16;
    };
    std::vector<float> x(s.size()), stored(s.size()), back(s.size());
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i);
    for (const jhr::layout l : {jhr::layout::nchw16c, jhr::layout::nhwc}) {
        CAPTURE(jhr::name(l));
        jhr::onednn::relayout(s, jhr::layout::nchw, x.data(), l, stored.data());
        for (int n = 0; n < s.n; ++n)
            for (int c = 0; c < s.c; ++c)
                for (int h = 0; h < s.h; ++h)
                    for (int w = 0; w < s.w; ++w)
                        REQUIRE(stored[offset(l, n, c, h, w)] ==
                                x[((std::size_t(n) * s.c + c) * s.h + h) * s.w + w]);
        jhr::onednn::relayout(s, l, stored.data(), jhr::layout::nchw, back.data());
        CHECK(back == x);
    }
    CHECK_THROWS_AS(
        jhr::onednn::relayout({1, 3, 2, 2}, jhr::layout::nchw, x.data(), jhr::layout::nchw16c, stored.data()),
        jhr::backend_error);
}

TEST_CASE("a chain of layers on onednn keeps activations blocked and agrees with the reference") {
    jhr::rng rng(11);
    auto ref = make_chain<jhr::reference>();
    auto net = make_chain<jhr::onednn>();
    same_parameters(ref, net, 5);

    const jhr::shape in{2, 3, 14, 12};
    const jhr::host_tensor x_host = random_host(in, rng), dy_host = random_host({2, 5, 1, 1}, rng);
    const auto x_ref = jhr::tensor<jhr::reference>::from_host(x_host);
    const auto dy_ref = jhr::tensor<jhr::reference>::from_host(dy_host);
    const auto x = jhr::tensor<jhr::onednn>::from_host(x_host);
    const auto dy = jhr::tensor<jhr::onednn>::from_host(dy_host);

    const auto y_ref = flat(ref.forward(x_ref).to_host());
    const auto dx_ref = flat(ref.backward(dy_ref).to_host());
    const auto grads_ref = gradients(ref);

    // Twice: the second step runs on cached primitives and counts the reorders left.
    for (int step = 0; step < 2; ++step) {
        CAPTURE(step);
        const std::size_t reorders_before = jhr::onednn::activation_reorders();
        const jhr::tensor<jhr::onednn>& y = net.forward(x);
        CHECK(y.layout() == jhr::layout::nchw);
        CHECK(relative_difference(flat(y.to_host()), y_ref) < jhr::testing::agreement_tolerance);
        const jhr::tensor<jhr::onednn>& dx = net.backward(dy);
        CHECK(dx.layout() == jhr::layout::nchw);
        CHECK(relative_difference(flat(dx.to_host()), dx_ref) < jhr::testing::agreement_tolerance);
        const auto grads = gradients(net);
        REQUIRE(grads.size() == grads_ref.size());
        for (std::size_t i = 0; i < grads.size(); ++i) {
            CAPTURE(i);
            CHECK(relative_difference(grads[i], grads_ref[i]) < jhr::testing::agreement_tolerance);
        }
        if (step == 1 && blocked_on_this_cpu()) {
            // Only at the edges: the linear layer's input and its gradient, and the first
            // convolution's 3-channel nchw side (its input in forward and backward-weights, dL/dx).
            // Every tensor to_host read above is nchw already.
            const std::size_t reorders = jhr::onednn::activation_reorders() - reorders_before;
            MESSAGE("activation reorders in a training step of the chain: " << reorders);
            CHECK(reorders <= 2 + 3);
        }
    }
}

namespace {
// Gradients through the chain at bf16: the forward's rounding moves some inputs of PReLU, ReLU and
// max pooling across their kinks, which routes those elements' gradients differently (measured
// 0.2-3.2% here); a layout error would be of order 1.
constexpr double bf16_chain_gradient_tolerance = 0.1;
} // namespace

// The chain's activations take the layout oneDNN's bf16 kernels use on this CPU: nhwc with AMX, nchw
// (reordered at each convolution) where they use another.
TEST_CASE("at bf16 the chain agrees with the reference within bf16_tolerance" *
          doctest::skip(!jhr::onednn::supports_precision(jhr::precision::bf16))) {
    const jhr::precision_scope<jhr::onednn> bf16(jhr::precision::bf16);
    const jhr::layout l = jhr::onednn::conv2d_output_layout({1, 3, 14, 12, 16, 3, 1, 1});
    MESSAGE("bf16 activations between the chain's layers on this CPU: " << jhr::name(l));
    CHECK((l == jhr::layout::nhwc || l == jhr::layout::nchw));
    jhr::rng rng(12);
    auto ref = make_chain<jhr::reference>();
    auto net = make_chain<jhr::onednn>();
    same_parameters(ref, net, 6);
    const jhr::host_tensor x_host = random_host({2, 3, 14, 12}, rng),
                           dy_host = random_host({2, 5, 1, 1}, rng);
    // The layers keep their input for backward: the tensors outlive the steps.
    const auto x_ref = jhr::tensor<jhr::reference>::from_host(x_host);
    const auto dy_ref = jhr::tensor<jhr::reference>::from_host(dy_host);
    const auto y_ref = flat(ref.forward(x_ref).to_host());
    const auto dx_ref = flat(ref.backward(dy_ref).to_host());
    const auto grads_ref = gradients(ref);

    const auto x = jhr::tensor<jhr::onednn>::from_host(x_host);
    const auto dy = jhr::tensor<jhr::onednn>::from_host(dy_host);
    const auto y = flat(net.forward(x).to_host());
    const auto dx = flat(net.backward(dy).to_host());
    const double dy_diff = relative_difference(y, y_ref), dx_diff = relative_difference(dx, dx_ref);
    MESSAGE("bf16 chain against the reference: y " << dy_diff << ", dx " << dx_diff);
    CHECK(dy_diff < jhr::testing::bf16_tolerance);
    CHECK(dx_diff < bf16_chain_gradient_tolerance);
    const auto grads = gradients(net);
    REQUIRE(grads.size() == grads_ref.size());
    for (std::size_t i = 0; i < grads.size(); ++i) {
        CAPTURE(i);
        CHECK(relative_difference(grads[i], grads_ref[i]) < bf16_chain_gradient_tolerance);
    }
}

TEST_CASE("onednn layers convert a gradient that arrives in another layout than their output's") {
    jhr::rng rng(3);
    jhr::conv2d<jhr::reference> ref({4, 16, 3, 1, 1});
    jhr::conv2d<jhr::onednn> conv({4, 16, 3, 1, 1});
    same_parameters(ref, conv, 2);
    const jhr::host_tensor x_host = random_host({2, 4, 6, 5}, rng), dy_host = random_host({2, 16, 6, 5}, rng);
    const auto x_ref = jhr::tensor<jhr::reference>::from_host(x_host);
    const auto x = jhr::tensor<jhr::onednn>::from_host(x_host);
    ref.forward(x_ref);
    conv.forward(x);
    // dy as a user uploads it: nchw, whatever the output's layout.
    const auto dx_ref = flat(ref.backward(jhr::tensor<jhr::reference>::from_host(dy_host)).to_host());
    const auto dx = flat(conv.backward(jhr::tensor<jhr::onednn>::from_host(dy_host)).to_host());
    CHECK(relative_difference(dx, dx_ref) < jhr::testing::agreement_tolerance);

    // And the squared error of a blocked output against an nchw target.
    jhr::squared_error<jhr::reference> loss_ref;
    jhr::squared_error<jhr::onednn> loss;
    const auto target_ref = jhr::tensor<jhr::reference>::from_host(dy_host);
    const auto target = jhr::tensor<jhr::onednn>::from_host(dy_host);
    loss_ref.evaluate(ref.forward(x_ref), target_ref);
    loss.evaluate(conv.forward(x), target);
    CHECK(loss.value() == doctest::Approx(loss_ref.value()).epsilon(1e-5));
    CHECK(relative_difference(flat(loss.gradient().to_host()), flat(loss_ref.gradient().to_host())) <
          jhr::testing::agreement_tolerance);
}

TEST_CASE("backends without BlockedLayouts reject blocked geometries by name") {
    const float x[16] = {};
    float y[16] = {};
    jhr::channel_geometry g{1, 16, 1};
    g.data_layout = jhr::layout::nchw16c;
    try {
        jhr::reference::prelu_forward(g, x, x, y);
        FAIL("reference prelu accepted an nchw16c tensor");
    } catch (const jhr::backend_error& e) {
        CHECK(std::string(e.what()).find("prelu_forward: reference takes only nchw tensors, got nchw16c") !=
              std::string::npos);
    }
}

TEST_CASE("a blocked tensor refuses reshape and converts to nchw for the host") {
    if (!blocked_on_this_cpu()) {
        MESSAGE("skipped: oneDNN uses nchw on this CPU");
        return;
    }
    jhr::conv2d<jhr::onednn> conv({2, 16, 1, 1, 0});
    jhr::rng init(1);
    conv.initialize(init);
    auto x = jhr::tensor<jhr::onednn>(jhr::shape{1, 2, 2, 2}, 1.0f);
    auto y = conv.forward(x); // a copy keeps the layout
    REQUIRE(y.layout() == jhr::layout::nchw16c);
    CHECK_THROWS_AS(y.reshape({1, 64, 1, 1}), jhr::shape_error);
    const jhr::host_tensor h = y.to_host();
    const jhr::host_tensor w = [&] {
        jhr::host_tensor out;
        conv.for_each_parameter([&](std::string_view name, auto& p) {
            if (name == "weight") out = p.value.to_host();
        });
        return out;
    }();
    for (int c = 0; c < 16; ++c) CHECK(h(0, c, 1, 1) == doctest::Approx(w(c, 0, 0, 0) + w(c, 1, 0, 0)));
    CHECK_THROWS_AS(jhr::tensor<jhr::onednn>().resize({1, 3, 2, 2}, jhr::layout::nchw16c), jhr::shape_error);
}

namespace {
// Stage 0 ends in a blocked 16-channel activation carrying a pixel head (its gradient in that
// layout) and a center head (its gradient nchw, added at the blocked junction).
template <class B>
using front = jhr::sequential<B, jhr::conv2d<B>, jhr::relu<B>>;
template <class B>
using back = jhr::sequential<B, jhr::conv2d<B>, jhr::relu<B>, jhr::max_pool2d<B>, jhr::linear<B>>;
template <class B>
using blocked_junction =
    jhr::cascade<B, jhr::stages<front<B>, back<B>>,
                 jhr::heads<jhr::on<0, jhr::pixel_head<B>>, jhr::on<0, jhr::center_head<B>>,
                            jhr::on<1, jhr::softmax_head<B>>>>;

template <class B>
blocked_junction<B> make_blocked_junction() {
    return blocked_junction<B>(
        {"front", "back"},
        {front<B>(jhr::conv2d<B>({1, 16, 3, 1, 1}), jhr::relu<B>()),
         back<B>(jhr::conv2d<B>({16, 4, 3, 1, 1}), jhr::relu<B>(), jhr::max_pool2d<B>(),
                 jhr::linear<B>(4 * 3 * 2, 6))},
        jhr::on<0, jhr::pixel_head<B>>{jhr::pixel_head<B>(), "pixel", 1.0f},
        jhr::on<0, jhr::center_head<B>>{jhr::center_head<B>(16 * 6 * 4, 3, 0.5f), "center", 0.1f},
        jhr::on<1, jhr::softmax_head<B>>{jhr::softmax_head<B>(6, 3), "softmax", 1.0f});
}
} // namespace

TEST_CASE("a cascade whose junction is blocked agrees with the reference: losses and gradients") {
    jhr::rng rng(5);
    auto ref = make_blocked_junction<jhr::reference>();
    auto net = make_blocked_junction<jhr::onednn>();
    same_parameters(ref, net, 9);
    const jhr::host_tensor x = random_host({2, 1, 6, 4}, rng), target = random_host({2, 16, 6, 4}, rng);
    const std::vector<std::int32_t> labels{2, 0};
    const auto x_ref = jhr::tensor<jhr::reference>::from_host(x);
    const auto t_ref = jhr::tensor<jhr::reference>::from_host(target);
    const jhr::label_tensor<jhr::reference> labels_ref(labels);
    const auto x_net = jhr::tensor<jhr::onednn>::from_host(x);
    const auto t_net = jhr::tensor<jhr::onednn>::from_host(target);
    const jhr::label_tensor<jhr::onednn> labels_net(labels);
    ref.train_step(x_ref, {&t_ref, &labels_ref});
    net.train_step(x_net, {&t_net, &labels_net});
    const auto losses_ref = ref.losses(), losses = net.losses();
    for (std::size_t k = 0; k < losses.size(); ++k)
        CHECK(losses[k] == doctest::Approx(losses_ref[k]).epsilon(1e-5));
    const auto grads_ref = gradients(ref), grads = gradients(net);
    REQUIRE(grads.size() == grads_ref.size());
    for (std::size_t i = 0; i < grads.size(); ++i) {
        CAPTURE(i);
        CHECK(relative_difference(grads[i], grads_ref[i]) < jhr::testing::agreement_tolerance);
    }
}
