#include "jhr/eval/pairs.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace jhr::eval;

TEST_CASE("cosine_scores keeps order, labels and folds") {
    Eigen::MatrixXd features(3, 2);
    features << 1, 0, 1, 1, 0, 2;
    const std::vector<face_pair> pairs = {{0, 1, true, 4}, {0, 2, false, 7}, {1, 1, true, 0}};
    const std::vector<scored_pair> scores = cosine_scores(features, pairs);
    REQUIRE(scores.size() == 3);
    CHECK(scores[0].score == doctest::Approx(1.0 / std::sqrt(2.0)));
    CHECK(scores[0].same);
    CHECK(scores[0].fold == 4);
    CHECK(scores[1].score == doctest::Approx(0.0));
    CHECK_FALSE(scores[1].same);
    CHECK(scores[1].fold == 7);
    CHECK(scores[2].score == doctest::Approx(1.0));
}

TEST_CASE("cosine_scores rejects out-of-range rows and zero features") {
    Eigen::MatrixXd features(2, 2);
    features << 1, 0, 0, 0;
    CHECK_THROWS_AS(cosine_scores(features, {{0, 2, true, 0}}), jhr::shape_error);
    CHECK_THROWS_AS(cosine_scores(features, {{-1, 0, true, 0}}), jhr::shape_error);
    CHECK_THROWS_AS(cosine_scores(features, {{0, 1, true, 0}}), jhr::error);
}
