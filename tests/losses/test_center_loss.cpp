#include "support/backends.hpp"
#include "support/loss_check.hpp"

#include "jhr/losses/center_loss.hpp"

namespace {
template <class B>
void set_centers(jhr::center_loss<B>& loss, const jhr::host_tensor& m) {
    loss.centers().assign(m);
}
} // namespace

JHR_TYPED_TEST("center_loss: value and gradient by hand (eq. 4 with 1/2, eq. 9)", B) {
    jhr::center_loss<B> loss(2, 2, 0.5f, jhr::reduction::sum);
    set_centers(loss, jhr::host_tensor{{{{1.0f}}, {{1.0f}}}, {{{0.0f}}, {{-1.0f}}}});
    const auto x = jhr::tensor<B>::from_host(jhr::host_tensor{{{{2.0f}}, {{3.0f}}}, {{{0.0f}}, {{1.0f}}}});
    const jhr::label_tensor<B> labels(std::vector<std::int32_t>{0, 1});
    // ||(1, 2)||^2 / 2 + ||(0, 2)||^2 / 2 = 2.5 + 2
    loss.evaluate(x, labels);
    CHECK(loss.value() == doctest::Approx(4.5));
    const auto g = loss.gradient().to_host();
    CHECK(g(0, 0, 0, 0) == 1.0f);
    CHECK(g(0, 1, 0, 0) == 2.0f);
    CHECK(g(1, 1, 0, 0) == 2.0f);
}

JHR_TYPED_TEST("center_loss: center update eq. 13-14 against a hand-computed example", B) {
    // Class 0 has two samples x = (1, 0) and (3, 2) around m0 = (0, 0):
    //   delta = ((0-1) + (0-3), (0-0) + (0-2)) / (1 + 2) = (-4/3, -2/3); gamma 0.5 -> m0 = (2/3, 1/3).
    // Class 1 has one sample (4, 4) around m1 = (2, 2): delta = (-2, -2) / 2 -> m1 = (2.5, 2.5).
    // Class 2 is absent and keeps (7, 7).
    jhr::center_loss<B> loss(3, 2, 0.5f);
    set_centers(loss, jhr::host_tensor{{{{0.0f}}, {{0.0f}}}, {{{2.0f}}, {{2.0f}}}, {{{7.0f}}, {{7.0f}}}});
    const auto x = jhr::tensor<B>::from_host(
        jhr::host_tensor{{{{1.0f}}, {{0.0f}}}, {{{4.0f}}, {{4.0f}}}, {{{3.0f}}, {{2.0f}}}});
    const jhr::label_tensor<B> labels(std::vector<std::int32_t>{0, 1, 0});
    loss.update_centers(x, labels);
    const auto m = loss.centers().to_host();
    CHECK(m(0, 0, 0, 0) == doctest::Approx(2.0 / 3.0));
    CHECK(m(0, 1, 0, 0) == doctest::Approx(1.0 / 3.0));
    CHECK(m(1, 0, 0, 0) == doctest::Approx(2.5));
    CHECK(m(1, 1, 0, 0) == doctest::Approx(2.5));
    CHECK(m(2, 0, 0, 0) == 7.0f);
}

JHR_TYPED_TEST("center_loss: the update ignores the loss weight", B) {
    jhr::rng r(41);
    const auto x = jhr::testing::random_tensor<B>({4, 3, 1, 1}, r);
    const jhr::label_tensor<B> labels(std::vector<std::int32_t>{0, 1, 1, 0});
    jhr::center_loss<B> a(2, 3), b(2, 3);
    a.evaluate(x, labels, 0.008f);
    b.evaluate(x, labels, 1.0f);
    a.update_centers(x, labels);
    b.update_centers(x, labels);
    CHECK(a.centers().to_host() == b.centers().to_host());
}

JHR_TYPED_TEST("center_loss: finite-difference gradient w.r.t. the features", B) {
    jhr::rng r(43);
    jhr::center_loss<B> loss(3, 4);
    loss.centers().assign(jhr::testing::random_host({3, 4, 1, 1}, r));
    auto x = jhr::testing::random_tensor<B>({5, 4, 1, 1}, r);
    const jhr::label_tensor<B> labels(std::vector<std::int32_t>{2, 0, 1, 2, 2});
    loss.evaluate(x, labels);
    const auto analytic = loss.gradient().to_host();
    CHECK(jhr::testing::loss_gradient_error(
              x,
              [&] {
                  loss.evaluate(x, labels);
                  return loss.value();
              },
              analytic, r) < 1e-3);
}

JHR_TYPED_TEST("center_loss: dimension and label errors", B) {
    jhr::center_loss<B> loss(2, 4);
    const jhr::label_tensor<B> labels(std::vector<std::int32_t>{0, 1});
    CHECK_THROWS_WITH_AS(loss.evaluate(jhr::tensor<B>(jhr::shape{2, 3, 1, 1}, 0.0f), labels),
                         doctest::Contains("[2, 3, 1, 1]"), jhr::shape_error);
    const jhr::label_tensor<B> bad(std::vector<std::int32_t>{0, 2});
    CHECK_THROWS_AS(loss.update_centers(jhr::tensor<B>(jhr::shape{2, 4, 1, 1}, 0.0f), bad), jhr::shape_error);
}
