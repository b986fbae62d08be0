#include "jhr/eval/features.hpp"

#include <doctest/doctest.h>

#include <limits>

using namespace jhr::eval;

TEST_CASE("fuse_flip_features concatenates, sums or keeps the original") {
    Eigen::MatrixXd original(2, 2), flipped(2, 2);
    original << 1, 2, 3, 4;
    flipped << 10, 20, 30, 40;

    Eigen::MatrixXd expected_concat(2, 4);
    expected_concat << 1, 2, 10, 20, 3, 4, 30, 40;
    CHECK(fuse_flip_features(original, flipped) == expected_concat);

    Eigen::MatrixXd expected_sum(2, 2);
    expected_sum << 11, 22, 33, 44;
    CHECK(fuse_flip_features(original, flipped, flip_fusion::sum) == expected_sum);
    CHECK(fuse_flip_features(original, flipped, flip_fusion::original_only) == original);
}

TEST_CASE("fuse_flip_features rejects mismatched shapes and non-finite values") {
    const Eigen::MatrixXd a = Eigen::MatrixXd::Ones(2, 3);
    const Eigen::MatrixXd b = Eigen::MatrixXd::Ones(3, 3);
    CHECK_THROWS_AS(fuse_flip_features(a, b), jhr::shape_error);
    CHECK_THROWS_AS(fuse_flip_features(a, b, flip_fusion::sum), jhr::shape_error);
    CHECK(fuse_flip_features(a, b, flip_fusion::original_only) == a);

    Eigen::MatrixXd bad = a;
    bad(1, 2) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(fuse_flip_features(a, bad), jhr::error);
}

TEST_CASE("l2_normalize_rows gives unit rows and refuses zero rows") {
    Eigen::MatrixXd rows(2, 2);
    rows << 3, 4, 0, -2;
    const Eigen::MatrixXd normalized = l2_normalize_rows(rows);
    CHECK(normalized(0, 0) == doctest::Approx(0.6));
    CHECK(normalized(0, 1) == doctest::Approx(0.8));
    CHECK(normalized(1, 1) == doctest::Approx(-1.0));

    rows.row(1).setZero();
    CHECK_THROWS_AS(l2_normalize_rows(rows), jhr::error);
}
