#include "jhr/eval/pca.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace jhr::eval;

namespace {

// n x d Gaussian rows with column scales 1..d (distinct variances) and a non-zero mean.
Eigen::MatrixXd random_rows(Eigen::Index n, Eigen::Index d, unsigned seed) {
    std::mt19937 generator(seed);
    std::normal_distribution<double> normal;
    Eigen::MatrixXd rows(n, d);
    for (Eigen::Index r = 0; r < n; ++r) {
        for (Eigen::Index c = 0; c < d; ++c)
            rows(r, c) = 3.0 + static_cast<double>(c + 1) * normal(generator);
    }
    // Mix the columns so that the components are not the coordinate axes.
    Eigen::MatrixXd mix = Eigen::MatrixXd::Identity(d, d);
    for (Eigen::Index c = 0; c + 1 < d; ++c) mix(c, c + 1) = 0.5;
    return rows * mix;
}

} // namespace

TEST_CASE("pca components and variances equal JacobiSVD's, up to sign") {
    const Eigen::MatrixXd rows = random_rows(60, 6, 7);
    const Eigen::MatrixXd centred = rows.rowwise() - rows.colwise().mean();
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(centred, Eigen::ComputeThinV);
    const Eigen::VectorXd variance = svd.singularValues().array().square() / 59.0;

    for (pca_solver solver : {pca_solver::covariance_eigen, pca_solver::svd}) {
        CAPTURE(static_cast<int>(solver));
        const pca model = pca::fit(rows, {.components = 4, .solver = solver});
        REQUIRE(model.components().cols() == 4);
        for (Eigen::Index c = 0; c < 4; ++c) {
            CAPTURE(c);
            CHECK(model.explained_variance()(c) == doctest::Approx(variance(c)).epsilon(1e-10));
            const double alignment = std::abs(model.components().col(c).dot(svd.matrixV().col(c)));
            CHECK(alignment == doctest::Approx(1.0).epsilon(1e-10));
        }
        CHECK(model.explained_variance_ratio().sum() ==
              doctest::Approx(variance.head(4).sum() / variance.sum()));
        const Eigen::MatrixXd gram = model.components().transpose() * model.components();
        CHECK(gram.isApprox(Eigen::MatrixXd::Identity(4, 4), 1e-12));
        CHECK(model.mean().isApprox(rows.colwise().mean()));
    }
}

TEST_CASE("pca sign convention: the largest-magnitude entry of each component is positive") {
    const pca model = pca::fit(random_rows(40, 5, 3));
    for (Eigen::Index c = 0; c < model.components().cols(); ++c) {
        Eigen::Index largest = 0;
        model.components().col(c).cwiseAbs().maxCoeff(&largest);
        CHECK(model.components()(largest, c) > 0.0);
    }
}

TEST_CASE("pca transform centres and projects; all components without whitening preserve distances") {
    const Eigen::MatrixXd rows = random_rows(30, 5, 11);
    const pca model = pca::fit(rows);
    REQUIRE(model.components().cols() == 5);
    const Eigen::MatrixXd projected = model.transform(rows);
    CHECK(projected.colwise().mean().norm() == doctest::Approx(0.0).epsilon(1e-9));
    CHECK((projected.row(3) - projected.row(17)).norm() ==
          doctest::Approx((rows.row(3) - rows.row(17)).norm()));
    // Projected columns are uncorrelated, with the explained variances on the diagonal.
    const Eigen::MatrixXd covariance = projected.transpose() * projected / 29.0;
    const Eigen::MatrixXd expected = model.explained_variance().asDiagonal();
    CHECK(covariance.isApprox(expected, 1e-9));
}

TEST_CASE("pca whitening gives unit variance per component") {
    const Eigen::MatrixXd rows = random_rows(50, 4, 5);
    const pca model = pca::fit(rows, {.components = 3, .whiten = true});
    const Eigen::MatrixXd projected = model.transform(rows);
    const Eigen::MatrixXd covariance = projected.transpose() * projected / 49.0;
    CHECK(covariance.isApprox(Eigen::MatrixXd::Identity(3, 3), 1e-9));
}

TEST_CASE("pca keeps the fewest components reaching the variance fraction") {
    // Independent columns with variances near 100, 1, 0.01: column 0 alone holds ~99%.
    Eigen::MatrixXd rows(4, 3);
    rows << 10, 1, 0.1, -10, -1, 0.1, 10, -1, -0.1, -10, 1, -0.1;
    // Variances (sample): 400/3, 4/3, 0.04/3; cumulative ratios 400/404.04 = 0.990001, 404/404.04 = 0.999901.
    CHECK(pca::fit(rows, {.variance_fraction = 0.98}).components().cols() == 1);
    CHECK(pca::fit(rows, {.variance_fraction = 0.995}).components().cols() == 2);
    CHECK(pca::fit(rows, {.variance_fraction = 0.99}).components().cols() == 1);
    CHECK(pca::fit(rows, {.variance_fraction = 0.9999}).components().cols() == 2);
    CHECK(pca::fit(rows, {.variance_fraction = 0.99991}).components().cols() == 3);
    CHECK(pca::fit(rows, {.variance_fraction = 0.995}).explained_variance()(0) ==
          doctest::Approx(400.0 / 3.0));
}

TEST_CASE("pca reports bad arguments") {
    const Eigen::MatrixXd rows = random_rows(10, 4, 1);
    CHECK_THROWS_AS(pca::fit(rows.topRows(1)), jhr::shape_error);
    CHECK_THROWS_AS(pca::fit(rows, {.components = 5}), jhr::shape_error);
    CHECK_THROWS_AS(pca::fit(rows, {.components = 0}), jhr::shape_error);
    CHECK_THROWS_AS(pca::fit(rows, {.variance_fraction = 0.0}), jhr::error);
    CHECK_THROWS_AS(pca::fit(rows, {.variance_fraction = 1.5}), jhr::error);
    CHECK_THROWS_AS(pca::fit(rows).transform(Eigen::MatrixXd::Ones(2, 3)), jhr::shape_error);
    // Three rows span at most two directions: whitening a third component divides by zero variance.
    CHECK_THROWS_AS(pca::fit(rows.topRows(3), {.components = 3, .whiten = true}), jhr::error);
}
