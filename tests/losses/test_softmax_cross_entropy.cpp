#include "support/backends.hpp"
#include "support/loss_check.hpp"

#include "jhr/losses/softmax_cross_entropy.hpp"

#include <cmath>

JHR_TYPED_TEST("softmax_cross_entropy: value and gradient by hand", B) {
    // Logits (0, ln 3) and label 1: p = (1/4, 3/4), loss -ln(3/4); gradient (1/4, -1/4).
    const auto z = jhr::tensor<B>::from_host(jhr::host_tensor{{{{0.0f}}, {{float(std::log(3.0))}}}});
    const jhr::label_tensor<B> labels(std::vector<std::int32_t>{1});
    jhr::softmax_cross_entropy<B> loss(jhr::reduction::sum);
    loss.evaluate(z, labels);
    CHECK(loss.value() == doctest::Approx(-std::log(0.75)));
    const auto g = loss.gradient().to_host();
    CHECK(g(0, 0, 0, 0) == doctest::Approx(0.25));
    CHECK(g(0, 1, 0, 0) == doctest::Approx(-0.25));
}

JHR_TYPED_TEST("softmax_cross_entropy: stable for large logits", B) {
    const auto z = jhr::tensor<B>::from_host(jhr::host_tensor{{{{1000.0f}}, {{0.0f}}}});
    jhr::softmax_cross_entropy<B> loss;
    const jhr::label_tensor<B> labels(std::vector<std::int32_t>{1});
    loss.evaluate(z, labels);
    CHECK(loss.value() == doctest::Approx(1000.0));
}

JHR_TYPED_TEST("softmax_cross_entropy: finite-difference gradient, sum and mean", B) {
    jhr::rng r(37);
    const jhr::label_tensor<B> labels(std::vector<std::int32_t>{0, 4, 2, 2, 1});
    for (const auto red : {jhr::reduction::sum, jhr::reduction::mean}) {
        auto z = jhr::testing::random_tensor<B>({5, 6, 1, 1}, r);
        jhr::softmax_cross_entropy<B> loss(red);
        loss.evaluate(z, labels);
        const auto analytic = loss.gradient().to_host();
        CHECK(jhr::testing::loss_gradient_error(
                  z,
                  [&] {
                      loss.evaluate(z, labels);
                      return loss.value();
                  },
                  analytic, r) < 1e-3);
    }
}

JHR_TYPED_TEST("softmax_cross_entropy: bad labels are shape errors", B) {
    jhr::softmax_cross_entropy<B> loss;
    const jhr::tensor<B> z(jhr::shape{2, 3, 1, 1}, 0.0f);
    const jhr::label_tensor<B> out_of_range(std::vector<std::int32_t>{0, 3}),
        too_few(std::vector<std::int32_t>{0});
    CHECK_THROWS_WITH_AS(loss.evaluate(z, out_of_range), doctest::Contains("label 3"), jhr::shape_error);
    CHECK_THROWS_AS(loss.evaluate(z, too_few), jhr::shape_error);
}

JHR_TYPED_TEST("softmax_cross_entropy: value() is the loss of the last evaluate()", B) {
    // Logits (0, 0) give ln 2 for either label; (0, ln 3) with label 1 gives -ln(3/4).
    const auto even = jhr::tensor<B>::from_host(jhr::host_tensor{{{{0.0f}}, {{0.0f}}}});
    const auto skewed = jhr::tensor<B>::from_host(jhr::host_tensor{{{{0.0f}}, {{float(std::log(3.0))}}}});
    const jhr::label_tensor<B> labels(std::vector<std::int32_t>{1});
    jhr::softmax_cross_entropy<B> loss(jhr::reduction::sum);
    CHECK(loss.value() == 0.0);
    loss.evaluate(even, labels);
    loss.evaluate(skewed, labels);
    CHECK(loss.value() == doctest::Approx(-std::log(0.75)));
}
