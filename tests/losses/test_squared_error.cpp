#include "support/backends.hpp"
#include "support/loss_check.hpp"

#include "jhr/losses/squared_error.hpp"

JHR_TYPED_TEST("squared_error: paper eq. 2 and 12 by hand", B) {
    // Two samples of two pixels: differences (1, -2) and (0, 3): sum of squares 1 + 4 + 0 + 9 = 14.
    const auto y = jhr::tensor<B>::from_host(jhr::host_tensor{{{{1.0f, 0.0f}}}, {{{2.0f, 3.0f}}}});
    const auto t = jhr::tensor<B>::from_host(jhr::host_tensor{{{{0.0f, 2.0f}}}, {{{2.0f, 0.0f}}}});
    jhr::squared_error<B> sum(jhr::reduction::sum), mean(jhr::reduction::mean);
    sum.evaluate(y, t);
    CHECK(sum.value() == doctest::Approx(14.0));
    const auto g = sum.gradient().to_host();
    CHECK(g(0, 0, 0, 0) == 2.0f); // 2 (y - t)
    CHECK(g(0, 0, 0, 1) == -4.0f);
    CHECK(g(1, 0, 0, 1) == 6.0f);
    mean.evaluate(y, t, 0.5f);
    CHECK(mean.value() == doctest::Approx(7.0));
    CHECK(mean.gradient().to_host()(1, 0, 0, 1) ==
          doctest::Approx(0.5 * 6.0 / 2.0)); // weight * 2 (y - t) / N
}

JHR_TYPED_TEST("squared_error: finite-difference gradient", B) {
    jhr::rng r(31);
    for (const auto red : {jhr::reduction::sum, jhr::reduction::mean}) {
        auto y = jhr::testing::random_tensor<B>({3, 2, 4, 3}, r);
        const auto t = jhr::testing::random_tensor<B>({3, 2, 4, 3}, r);
        jhr::squared_error<B> loss(red);
        loss.evaluate(y, t, 1.0f);
        const auto analytic = loss.gradient().to_host();
        CHECK(jhr::testing::loss_gradient_error(
                  y,
                  [&] {
                      loss.evaluate(y, t);
                      return loss.value();
                  },
                  analytic, r) < 1e-3);
    }
}

JHR_TYPED_TEST("squared_error: mismatched target", B) {
    jhr::squared_error<B> loss;
    CHECK_THROWS_WITH_AS(loss.evaluate(jhr::tensor<B>(jhr::shape{2, 3, 8, 8}, 0.0f),
                                       jhr::tensor<B>(jhr::shape{2, 3, 8, 7}, 0.0f)),
                         doctest::Contains("[2, 3, 8, 7]"), jhr::shape_error);
}

JHR_TYPED_TEST("squared_error: value() is the loss of the last evaluate()", B) {
    const auto y = jhr::tensor<B>::from_host(jhr::host_tensor{{{{1.0f, 0.0f}}}});
    const auto near = jhr::tensor<B>::from_host(jhr::host_tensor{{{{1.0f, 1.0f}}}});
    const auto far = jhr::tensor<B>::from_host(jhr::host_tensor{{{{3.0f, 3.0f}}}});
    jhr::squared_error<B> loss(jhr::reduction::sum);
    loss.evaluate(y, near);
    loss.evaluate(y, far); // 2^2 + 3^2
    CHECK(loss.value() == doctest::Approx(13.0));
    loss.evaluate(y, near);
    CHECK(loss.value() == doctest::Approx(1.0));
}
