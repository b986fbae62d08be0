#include "support/backends.hpp"
#include "support/loss_check.hpp"

#include "jhr/nets/heads.hpp"

JHR_TYPED_TEST("softmax_head: finite-difference gradient through the classifier", B) {
    jhr::rng r(51);
    jhr::softmax_head<B> head(5, 4);
    head.initialize(r);
    auto x = jhr::testing::random_tensor<B>({3, 5, 1, 1}, r);
    const jhr::label_tensor<B> labels(std::vector<std::int32_t>{3, 0, 3});
    const jhr::targets<B> t{nullptr, &labels};
    head.evaluate(x, t, 0.7f);
    const auto analytic = head.gradient().to_host();
    auto value = [&] {
        head.evaluate(x, t, 0.7f);
        return 0.7 * head.value();
    };
    CHECK(jhr::testing::loss_gradient_error(x, value, analytic, r) < 1e-3);
    std::vector<std::string> names;
    head.for_each_parameter([&](std::string_view n, jhr::parameter<B>&) { names.emplace_back(n); });
    CHECK(names == std::vector<std::string>{"classifier.weight", "classifier.bias"});
}

JHR_TYPED_TEST("center_head: after_step applies the center update", B) {
    jhr::center_head<B> head(2, 2, 0.5f);
    const auto x = jhr::tensor<B>::from_host(jhr::host_tensor{{{{2.0f}}, {{4.0f}}}});
    const jhr::label_tensor<B> labels(std::vector<std::int32_t>{1});
    const jhr::targets<B> t{nullptr, &labels};
    head.evaluate(x, t, 1.0f);
    head.after_step(x, t);
    // m1 = 0 - 0.5 * (0 - x) / 2 = x / 4
    std::vector<float> centers;
    head.for_each_state([&](std::string_view name, jhr::tensor<B>& m) {
        CHECK(name == "centers");
        const auto h = m.to_host();
        centers.assign(h.begin(), h.end());
    });
    CHECK(centers == std::vector<float>{0.0f, 0.0f, 0.5f, 1.0f});
}

JHR_TYPED_TEST("pixel_head: a batch without a target image is an error", B) {
    jhr::pixel_head<B> head;
    CHECK_THROWS_AS(head.evaluate(jhr::tensor<B>(jhr::shape{1, 3, 2, 2}, 0.0f), {}, 1.0f), jhr::error);
}

JHR_TYPED_TEST("softmax_head and center_head: a batch without labels is an error naming the head", B) {
    const jhr::tensor<B> x(jhr::shape{1, 2, 1, 1}, 0.0f);
    const jhr::targets<B> no_labels{&x, nullptr};
    jhr::softmax_head<B> softmax(2, 3);
    jhr::center_head<B> center(2, 3, 0.5f);
    CHECK_THROWS_WITH_AS(softmax.evaluate(x, no_labels, 1.0f), doctest::Contains("softmax_head"), jhr::error);
    CHECK_THROWS_WITH_AS(center.evaluate(x, no_labels, 1.0f), doctest::Contains("center_head"), jhr::error);
    CHECK_THROWS_WITH_AS(center.after_step(x, no_labels), doctest::Contains("center_head"), jhr::error);
}

JHR_TYPED_TEST("heads: check() refuses labels outside [0, classes) and missing targets, naming the head", B) {
    const jhr::tensor<B> image(jhr::shape{2, 1, 2, 2}, 0.0f);
    const jhr::label_tensor<B> good(std::vector<std::int32_t>{0, 2}), bad(std::vector<std::int32_t>{1, 3});
    jhr::softmax_head<B> softmax(2, 3);
    jhr::center_head<B> center(2, 3, 0.5f);
    jhr::pixel_head<B> pixel;
    softmax.check({&image, &good});
    center.check({&image, &good});
    pixel.check({&image, &good});
    const jhr::targets<B> t{&image, &bad};
    CHECK_THROWS_WITH_AS(softmax.check(t), "softmax_head: label 3 of sample 1 is outside [0, 3)",
                         jhr::shape_error);
    CHECK_THROWS_WITH_AS(center.check(t), "center_head: label 3 of sample 1 is outside [0, 3)",
                         jhr::shape_error);
    CHECK_THROWS_WITH_AS(pixel.check({nullptr, &good}), doctest::Contains("pixel_head"), jhr::error);
}
