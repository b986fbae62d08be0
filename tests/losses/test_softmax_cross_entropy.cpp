#include "support/backends.hpp"
#include "support/loss_check.hpp"

#include "jhr/losses/softmax_cross_entropy.hpp"

#include <cmath>

JHR_TYPED_TEST("softmax_cross_entropy: value and gradient by hand", B) {
    // Logits (0, ln 3) and label 1: p = (1/4, 3/4), loss -ln(3/4); gradient (1/4, -1/4).
    const auto z = jhr::tensor<B>::from_host(jhr::host_tensor{{{{0.0f}}, {{float(std::log(3.0))}}}});
    const std::vector<std::int32_t> labels{1};
    jhr::softmax_cross_entropy<B> loss(jhr::reduction::sum);
    CHECK(loss.evaluate(z, labels) == doctest::Approx(-std::log(0.75)));
    const auto g = loss.gradient().to_host();
    CHECK(g(0, 0, 0, 0) == doctest::Approx(0.25));
    CHECK(g(0, 1, 0, 0) == doctest::Approx(-0.25));
}

JHR_TYPED_TEST("softmax_cross_entropy: stable for large logits", B) {
    const auto z = jhr::tensor<B>::from_host(jhr::host_tensor{{{{1000.0f}}, {{0.0f}}}});
    jhr::softmax_cross_entropy<B> loss;
    const std::vector<std::int32_t> labels{1};
    CHECK(loss.evaluate(z, labels) == doctest::Approx(1000.0));
}

JHR_TYPED_TEST("softmax_cross_entropy: finite-difference gradient, sum and mean", B) {
    jhr::rng r(37);
    const std::vector<std::int32_t> labels{0, 4, 2, 2, 1};
    for (const auto red : {jhr::reduction::sum, jhr::reduction::mean}) {
        auto z = jhr::testing::random_tensor<B>({5, 6, 1, 1}, r);
        jhr::softmax_cross_entropy<B> loss(red);
        loss.evaluate(z, labels);
        const auto analytic = loss.gradient().to_host();
        CHECK(jhr::testing::loss_gradient_error(
                  z, [&] { return loss.evaluate(z, labels); }, analytic, r) < 1e-3);
    }
}

JHR_TYPED_TEST("softmax_cross_entropy: bad labels are shape errors", B) {
    jhr::softmax_cross_entropy<B> loss;
    const jhr::tensor<B> z(jhr::shape{2, 3, 1, 1}, 0.0f);
    const std::vector<std::int32_t> out_of_range{0, 3}, too_few{0};
    CHECK_THROWS_WITH_AS(loss.evaluate(z, out_of_range), doctest::Contains("label 3"), jhr::shape_error);
    CHECK_THROWS_AS(loss.evaluate(z, too_few), jhr::shape_error);
}
