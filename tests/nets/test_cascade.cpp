#include "support/backends.hpp"
#include "support/gradient_check.hpp"
#include "support/tiny_models.hpp"

#include "jhr/layers/max_pool2d.hpp"
#include "jhr/nets/cascade.hpp"
#include "jhr/optim/sgd.hpp"

#include <xtensor/xmath.hpp>

namespace {

template <class B>
struct batch {
    jhr::tensor<B> input, target;
    jhr::label_tensor<B> labels;
    jhr::targets<B> targets() const { return {&target, &labels}; }
};

template <class B>
batch<B> random_batch(const jhr::shape& in, const jhr::shape& target, int classes, jhr::rng& r) {
    batch<B> b{jhr::testing::random_tensor<B>(in, r), jhr::testing::random_tensor<B>(target, r), {}};
    std::vector<std::int32_t> labels;
    for (int i = 0; i < in.n; ++i) labels.push_back(std::int32_t(jhr::uniform_index(r, classes)));
    b.labels.assign(labels);
    return b;
}

// All parameters move together along a random direction d: (L(p + eps d) - L(p - eps d)) / 2 eps
// must equal <grad L, d> to `tolerance` (relative) for each eps. Per-parameter differences are
// useless for deep float networks: almost every single-parameter step crosses some ReLU, PReLU or
// pooling kink somewhere in the batch.
template <class B, class Net>
void check_directional_derivative(Net& net, const batch<B>& b, jhr::rng& r, double tolerance) {
    net.train_step(b.input, b.targets());
    std::vector<jhr::host_tensor> values, directions;
    double analytic = 0;
    net.for_each_parameter([&](std::string_view, jhr::parameter<B>& p) {
        values.push_back(p.value.to_host());
        directions.push_back(jhr::testing::random_host(p.value.shape(), r, 0.0));
        analytic += jhr::testing::dot_host(p.grad.to_host(), directions.back());
    });
    auto total_at = [&](double step) {
        std::size_t k = 0;
        net.for_each_parameter([&](std::string_view, jhr::parameter<B>& p) {
            jhr::host_tensor moved = values[k] + float(step) * directions[k];
            p.value.assign(moved);
            ++k;
        });
        net.evaluate(b.input, b.targets());
        return net.total_loss();
    };
    for (const double eps : {3e-3, 1e-3}) {
        const double numeric = (total_at(eps) - total_at(-eps)) / (2 * eps);
        INFO("eps " << eps << ": numeric " << numeric << ", analytic " << analytic);
        CHECK(std::abs(numeric - analytic) < tolerance * std::abs(analytic));
    }
}

} // namespace

JHR_TYPED_TEST("cascade: the joint model's directional derivative matches finite differences", B) {
    jhr::rng r(61);
    auto net = jhr::make_joint_model<B>(jhr::testing::tiny_joint_options(3));
    net.initialize(r);
    // Non-zero centers, so the center loss gradient is not just the features.
    net.template head<2>().head.for_each_state(
        [&](std::string_view, jhr::tensor<B>& m) { m.assign(jhr::testing::random_host(m.shape(), r)); });
    const auto b = random_batch<B>({2, 3, 50, 50}, {2, 3, 48, 48}, 3, r);
    // Measured: 0.3% at eps 3e-3, 0.1% at 1e-3 (kinks crossed along the path).
    check_directional_derivative<B>(net, b, r, 1e-2);
}

JHR_TYPED_TEST("cascade: gradients at a junction are the sum of the heads and the stage above", B) {
    // With beta1 = beta2 = 0, SRNET's gradients are the pixel loss's alone; with alpha = 0 they are
    // FRNET's alone; the joint gradient is their sum (Algorithm 1 step 8).
    jhr::rng r(67);
    auto o = jhr::testing::tiny_joint_options(3);
    const auto b = random_batch<B>({2, 3, 50, 50}, {2, 3, 48, 48}, 3, r);
    auto srnet_grads = [&](float alpha, float beta1, float beta2) {
        o.loss.alpha = alpha, o.loss.beta1 = beta1, o.loss.beta2 = beta2;
        auto net = jhr::make_joint_model<B>(o);
        jhr::rng init(5);
        net.initialize(init);
        net.train_step(b.input, b.targets());
        std::vector<float> g;
        net.template for_each_stage_parameter<0>([&](std::string_view, jhr::parameter<B>& p) {
            const auto h = p.grad.to_host();
            g.insert(g.end(), h.begin(), h.end());
        });
        return g;
    };
    const auto pixel = srnet_grads(1.0f, 0.0f, 0.0f);
    const auto recognition = srnet_grads(0.0f, 1.0f, 0.3f);
    const auto joint = srnet_grads(1.0f, 1.0f, 0.3f);
    REQUIRE(joint.size() == pixel.size());
    double max_error = 0, max_value = 0;
    for (std::size_t i = 0; i < joint.size(); ++i) {
        max_error = std::max(max_error, double(std::abs(joint[i] - (pixel[i] + recognition[i]))));
        max_value = std::max(max_value, double(std::abs(joint[i])));
    }
    CHECK(max_error <= 1e-5 * max_value);
    CHECK(max_value > 0);
}

namespace {
// A second instantiation: a denoiser (conv, ReLU, conv, pad 1) cascaded into a small classifier
// (conv, ReLU, pool, linear), pixel loss on the denoised image and softmax on the logits' input.
template <class B>
using denoiser = jhr::sequential<B, jhr::conv2d<B>, jhr::relu<B>, jhr::conv2d<B>>;
template <class B>
using classifier = jhr::sequential<B, jhr::conv2d<B>, jhr::relu<B>, jhr::max_pool2d<B>, jhr::linear<B>>;
template <class B>
using denoise_then_classify =
    jhr::cascade<B, jhr::stages<denoiser<B>, classifier<B>>,
                 jhr::heads<jhr::on<0, jhr::pixel_head<B>>, jhr::on<1, jhr::softmax_head<B>>>>;

template <class B>
denoise_then_classify<B> make_denoise_then_classify(int classes) {
    return denoise_then_classify<B>(
        {"denoiser", "classifier"},
        {denoiser<B>(jhr::conv2d<B>({1, 4, 3, 1, 1}), jhr::relu<B>(), jhr::conv2d<B>({4, 1, 3, 1, 1})),
         classifier<B>(jhr::conv2d<B>({1, 4, 3, 1, 1}), jhr::relu<B>(), jhr::max_pool2d<B>(),
                       jhr::linear<B>(4 * 4 * 4, 8))},
        jhr::on<0, jhr::pixel_head<B>>{jhr::pixel_head<B>(), "pixel", 1.0f},
        jhr::on<1, jhr::softmax_head<B>>{jhr::softmax_head<B>(8, classes), "softmax", 1.0f});
}
} // namespace

JHR_TYPED_TEST("cascade: a denoiser cascaded into a classifier trains", B) {
    // Classes are bright squares in one of 4 quadrants of an 8x8 image; inputs carry noise.
    jhr::rng r(71);
    auto net = make_denoise_then_classify<B>(4);
    net.initialize(r);
    jhr::sgd<B> opt({0.9f, 0.0f});
    opt.add_group("all", 0.002f, net, "net");
    auto make = [&](std::vector<std::int32_t>& labels, jhr::host_tensor& clean, jhr::host_tensor& noisy) {
        clean = jhr::host_tensor::from_shape({16, 1, 8, 8});
        clean.fill(0.0f);
        noisy = clean;
        labels.clear();
        for (int i = 0; i < 16; ++i) {
            const int c = int(jhr::uniform_index(r, 4));
            labels.push_back(c);
            for (int y = 0; y < 4; ++y)
                for (int x = 0; x < 4; ++x) clean(i, 0, (c / 2) * 4 + y, (c % 2) * 4 + x) = 1.0f;
        }
        for (std::size_t k = 0; k < clean.size(); ++k)
            noisy.data()[k] = clean.data()[k] + float(0.3 * jhr::normal(r));
    };
    std::vector<std::int32_t> labels;
    jhr::host_tensor clean, noisy;
    std::array<double, 2> first{}, last{};
    for (int step = 0; step < 150; ++step) {
        make(labels, clean, noisy);
        const auto x = jhr::tensor<B>::from_host(noisy);
        const auto target = jhr::tensor<B>::from_host(clean);
        const jhr::label_tensor<B> device_labels(labels);
        const jhr::targets<B> t{&target, &device_labels};
        net.train_step(x, t);
        opt.step();
        net.after_step(t);
        const auto losses = net.losses();
        if (step < 10)
            for (int k = 0; k < 2; ++k) first[k] += losses[k] / 10;
        if (step >= 140)
            for (int k = 0; k < 2; ++k) last[k] += losses[k] / 10;
    }
    INFO("pixel " << first[0] << " -> " << last[0] << ", softmax " << first[1] << " -> " << last[1]);
    CHECK(last[0] < 0.5 * first[0]);
    CHECK(last[1] < 0.5 * first[1]);
    CHECK(net.head_names() == std::array<std::string, 2>{"pixel", "softmax"});
}

JHR_TYPED_TEST("cascade: three stages, heads on the first and the last", B) {
    using stage = jhr::sequential<B, jhr::conv2d<B>, jhr::relu<B>>;
    using three = jhr::cascade<B, jhr::stages<stage, stage, jhr::sequential<B, jhr::linear<B>>>,
                               jhr::heads<jhr::on<0, jhr::pixel_head<B>>, jhr::on<2, jhr::softmax_head<B>>>>;
    three net({"a", "b", "c"},
              {stage(jhr::conv2d<B>({2, 2, 3, 1, 1}), jhr::relu<B>()),
               stage(jhr::conv2d<B>({2, 3, 3, 1, 0}), jhr::relu<B>()),
               jhr::sequential<B, jhr::linear<B>>(jhr::linear<B>(3 * 3 * 3, 5))},
              jhr::on<0, jhr::pixel_head<B>>{jhr::pixel_head<B>(), "pixel", 0.5f},
              jhr::on<2, jhr::softmax_head<B>>{jhr::softmax_head<B>(5, 3), "softmax", 1.0f});
    jhr::rng r(73);
    net.initialize(r);
    CHECK(net.output_shape(2, {4, 2, 5, 5}) == jhr::shape{4, 5, 1, 1});
    const auto b = random_batch<B>({2, 2, 5, 5}, {2, 2, 5, 5}, 3, r);
    check_directional_derivative<B>(net, b, r, 1e-2);
}

JHR_TYPED_TEST("cascade: losses() are the heads' values of the last step", B) {
    jhr::rng r(79);
    auto net = make_denoise_then_classify<B>(4);
    net.initialize(r);
    const auto a = random_batch<B>({2, 1, 8, 8}, {2, 1, 8, 8}, 4, r);
    const auto b = random_batch<B>({2, 1, 8, 8}, {2, 1, 8, 8}, 4, r);
    net.evaluate(b.input, b.targets());
    const auto expected = net.losses();
    net.evaluate(a.input, a.targets());
    net.train_step(b.input, b.targets());
    const auto losses = net.losses();
    CHECK(losses == expected);
    CHECK(losses[0] == net.template head<0>().head.value());
    CHECK(losses[1] == net.template head<1>().head.value());
    CHECK(net.total_loss() == doctest::Approx(losses[0] + losses[1]));
    CHECK(losses != decltype(losses){});
}

JHR_TYPED_TEST("cascade: check() asks every head about the targets", B) {
    auto net = make_denoise_then_classify<B>(4);
    const jhr::tensor<B> image(jhr::shape{2, 1, 8, 8}, 0.0f);
    const jhr::label_tensor<B> good(std::vector<std::int32_t>{3, 0}), bad(std::vector<std::int32_t>{0, 4});
    net.check({&image, &good});
    CHECK_THROWS_WITH_AS(net.check({&image, &bad}), doctest::Contains("softmax_head: label 4"),
                         jhr::shape_error);
    CHECK_THROWS_WITH_AS(net.check({nullptr, &good}), doctest::Contains("pixel_head"), jhr::error);
}
