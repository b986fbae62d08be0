#include "jhr/eval/verification.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <set>

using namespace jhr::eval;

namespace {

// Three folds; thresholds and accuracies worked out by hand below.
std::vector<scored_pair> three_folds() {
    return {{0.9, true, 0},  {0.8, true, 0},  {0.2, false, 0},  {0.1, false, 0},
            {0.9, true, 1},  {0.7, true, 1},  {0.32, false, 1}, {0.6, false, 1},
            {0.85, true, 2}, {0.35, true, 2}, {0.15, false, 2}, {0.25, false, 2}};
}

// `identities` people with `faces_per_identity` faces each: a random direction per person plus noise.
// Person p belongs to fold p % folds; pairs are drawn within a fold.
struct synthetic_set {
    Eigen::MatrixXd features;
    std::vector<face_pair> pairs;
};

synthetic_set synthetic(int identities, int faces_per_identity, int folds, double noise, unsigned seed) {
    std::mt19937 generator(seed);
    std::normal_distribution<double> normal;
    const int dims = 16;
    synthetic_set set{Eigen::MatrixXd(identities * faces_per_identity, dims), {}};
    for (int p = 0; p < identities; ++p) {
        Eigen::RowVectorXd base(dims);
        for (int d = 0; d < dims; ++d) base(d) = normal(generator);
        for (int f = 0; f < faces_per_identity; ++f) {
            for (int d = 0; d < dims; ++d)
                set.features(p * faces_per_identity + f, d) = base(d) + noise * normal(generator);
        }
    }
    for (int p = 0; p < identities; ++p) {
        const int q = p + folds; // next person in the same fold
        const Eigen::Index first = p * faces_per_identity;
        set.pairs.push_back({first, first + 1, true, p % folds});
        if (q < identities) set.pairs.push_back({first + 1, q * faces_per_identity, false, p % folds});
    }
    return set;
}

} // namespace

TEST_CASE("best_threshold separates separable scores at the midpoint of the gap") {
    const std::vector<scored_pair> pairs = {{0.9, true},  {0.8, true},  {0.7, true},
                                            {0.1, false}, {0.2, false}, {0.3, false}};
    const threshold_choice choice = best_threshold(pairs);
    CHECK(choice.threshold == doctest::Approx(0.5));
    CHECK(choice.correct == 6);
    CHECK(choice.accuracy() == 1.0);
}

TEST_CASE("best_threshold: crafted case, the smallest of tied thresholds wins") {
    // Ascending: 0.1 D, 0.2 S, 0.3 D, 0.4 S, 0.5 S, 0.6 D, 0.7 S. Correct decisions per candidate:
    // below all 4, (0.1,0.2) 5, (0.2,0.3) 4, (0.3,0.4) 5, then 4, 3, 4, above all 3. Two maxima of 5;
    // the smaller threshold 0.15 is chosen.
    const std::vector<scored_pair> pairs = {{0.4, true}, {0.1, false}, {0.7, true}, {0.3, false},
                                            {0.5, true}, {0.6, false}, {0.2, true}};
    const threshold_choice choice = best_threshold(pairs);
    CHECK(choice.threshold == doctest::Approx(0.15));
    CHECK(choice.correct == 5);
    CHECK(correct_decisions(pairs, choice.threshold) == 5);
}

TEST_CASE("best_threshold never splits tied scores, and handles the extremes") {
    // The three pairs at 0.5 are decided together: (S, D, D) -> best is to reject them all.
    const std::vector<scored_pair> ties = {{0.5, true}, {0.5, false}, {0.5, false}, {0.9, true}};
    const threshold_choice choice = best_threshold(ties);
    CHECK(choice.threshold == doctest::Approx(0.7));
    CHECK(choice.correct == 3);

    // All "same": the best threshold is below every score.
    const threshold_choice all_same = best_threshold({{0.2, true}, {0.4, true}});
    CHECK(all_same.threshold < 0.2);
    CHECK(all_same.correct == 2);
    // All "different": above every score.
    const threshold_choice all_different = best_threshold({{0.2, false}, {0.4, false}});
    CHECK(all_different.threshold > 0.4);
    CHECK(all_different.correct == 2);

    // Adjacent doubles: no midpoint exists, the upper score itself is the threshold.
    const double low = 1.0;
    const double high = std::nextafter(1.0, 2.0);
    const threshold_choice adjacent = best_threshold({{low, false}, {high, true}});
    CHECK(adjacent.threshold == high);
    CHECK(adjacent.correct == 2);

    CHECK_THROWS_AS(best_threshold({}), jhr::error);
    CHECK_THROWS_AS(best_threshold({{std::nan(""), true}}), jhr::error);
}

TEST_CASE("cross_validate: thresholds, accuracies, mean and sample std computed by hand") {
    // Held out 0: training ascending .15D .25D .32D .35S .6D .7S .85S .9S -> 7/8 at (.32+.35)/2 = .335;
    //   fold 0 all correct: 1.0.
    // Held out 1: training .1D .15D .2D .25D .35S .8S .85S .9S -> separable at (.25+.35)/2 = .3;
    //   fold 1: .32 D and .6 D accepted: 0.5.
    // Held out 2: training .1D .2D .32D .6D .7S .8S .9S .9S -> separable at .65; fold 2: .35 S rejected:
    // 0.75. Mean 0.75; sample std sqrt((0.25^2 + 0.25^2 + 0) / 2) = 0.25; standard error 0.25 / sqrt(3).
    const verification_result result = cross_validate(three_folds());
    REQUIRE(result.folds.size() == 3);
    CHECK(result.folds[0].threshold == doctest::Approx(0.335));
    CHECK(result.folds[0].train_accuracy == doctest::Approx(7.0 / 8.0));
    CHECK(result.folds[0].test_accuracy == doctest::Approx(1.0));
    CHECK(result.folds[1].threshold == doctest::Approx(0.3));
    CHECK(result.folds[1].test_accuracy == doctest::Approx(0.5));
    CHECK(result.folds[2].threshold == doctest::Approx(0.65));
    CHECK(result.folds[2].test_accuracy == doctest::Approx(0.75));
    CHECK(result.folds[2].test_pairs == 4);
    CHECK(result.accuracy_mean == doctest::Approx(0.75));
    CHECK(result.accuracy_std == doctest::Approx(0.25));
    CHECK(result.accuracy_standard_error == doctest::Approx(0.25 / std::sqrt(3.0)));
}

TEST_CASE("cross_validate: a held-out fold's scores never influence its own threshold") {
    std::vector<scored_pair> changed = three_folds();
    for (scored_pair& p : changed) {
        if (p.fold == 0) p.score = p.same ? -0.5 : 0.99; // every fold-0 decision now wrong
    }
    const verification_result before = cross_validate(three_folds());
    const verification_result after = cross_validate(changed);
    CHECK(after.folds[0].threshold == before.folds[0].threshold);
    CHECK(after.folds[0].train_accuracy == before.folds[0].train_accuracy);
    CHECK(after.folds[0].test_accuracy == 0.0);
    CHECK_THROWS_AS(cross_validate({{0.5, true, 3}, {0.1, false, 3}}), jhr::error);
}

TEST_CASE("k_fold_protocol without PCA equals cross-validation of the raw cosine scores") {
    const synthetic_set set = synthetic(40, 2, 10, 0.8, 1);
    const verification_result protocol = k_fold_protocol(set.features, set.pairs, {.pca = std::nullopt});
    const verification_result direct = cross_validate(cosine_scores(set.features, set.pairs));
    REQUIRE(protocol.folds.size() == 10);
    CHECK(protocol.accuracy_mean == doctest::Approx(direct.accuracy_mean));
    for (std::size_t i = 0; i < 10; ++i)
        CHECK(protocol.folds[i].threshold == doctest::Approx(direct.folds[i].threshold));
}

TEST_CASE("k_fold_protocol fits PCA on the training folds' faces only") {
    const synthetic_set set = synthetic(30, 2, 3, 0.8, 2);
    const pca_options options{.components = 8};
    const verification_result result = k_fold_protocol(set.features, set.pairs, {.pca = options});

    // The scores of fold 0 come from a PCA fitted on the rows of folds 1 and 2.
    std::vector<Eigen::Index> train_rows;
    for (const face_pair& p : set.pairs) {
        if (p.fold != 0) train_rows.push_back(p.first), train_rows.push_back(p.second);
    }
    std::sort(train_rows.begin(), train_rows.end());
    train_rows.erase(std::unique(train_rows.begin(), train_rows.end()), train_rows.end());
    const Eigen::MatrixXd projected =
        pca::fit(set.features(train_rows, Eigen::all), options).transform(set.features);
    const std::vector<scored_pair> expected = cosine_scores(projected, set.pairs);
    for (std::size_t i = 0; i < set.pairs.size(); ++i) {
        if (set.pairs[i].fold == 0) CHECK(result.scores[i].score == doctest::Approx(expected[i].score));
    }

    // Changing the held-out fold's faces changes neither its PCA nor its threshold.
    synthetic_set changed = set;
    for (const face_pair& p : set.pairs) {
        if (p.fold == 0) changed.features.row(p.first) *= -3.0, changed.features.row(p.second).array() += 5.0;
    }
    const verification_result after = k_fold_protocol(changed.features, changed.pairs, {.pca = options});
    CHECK(after.folds[0].threshold == doctest::Approx(result.folds[0].threshold));
    CHECK(after.folds[0].train_accuracy == doctest::Approx(result.folds[0].train_accuracy));
    CHECK(after.folds[1].threshold != doctest::Approx(result.folds[1].threshold));
}

TEST_CASE("k_fold_protocol: all components without whitening score the training-mean-centred features") {
    const synthetic_set set = synthetic(20, 2, 2, 0.5, 3);
    const verification_result result = k_fold_protocol(set.features, set.pairs);
    std::set<Eigen::Index> unique_rows;
    for (const face_pair& p : set.pairs) {
        if (p.fold == 1) unique_rows.insert(p.first), unique_rows.insert(p.second);
    }
    const std::vector<Eigen::Index> train_rows(unique_rows.begin(), unique_rows.end());
    const Eigen::RowVectorXd mean = set.features(train_rows, Eigen::all).colwise().mean();
    const Eigen::MatrixXd centred = set.features.rowwise() - mean;
    const std::vector<scored_pair> expected = cosine_scores(centred, set.pairs);
    for (std::size_t i = 0; i < set.pairs.size(); ++i) {
        if (set.pairs[i].fold == 0) CHECK(result.scores[i].score == doctest::Approx(expected[i].score));
    }
}

TEST_CASE("k_fold_protocol separates well-separated identities and refuses folds sharing faces") {
    const synthetic_set set = synthetic(40, 2, 10, 0.05, 4);
    const verification_result result =
        k_fold_protocol(set.features, set.pairs, {.pca = pca_options{.components = 10}});
    CHECK(result.accuracy_mean == 1.0);
    CHECK(result.accuracy_std == 0.0);

    std::vector<face_pair> shared = set.pairs;
    shared.push_back({0, 3, false, 5}); // row 0 belongs to fold 0
    CHECK_THROWS_AS(k_fold_protocol(set.features, shared), jhr::protocol_error);
    shared.back() = {0, 1000, false, 0};
    CHECK_THROWS_AS(k_fold_protocol(set.features, shared), jhr::shape_error);
}

TEST_CASE("holdout_protocol (LFW View 1): PCA and threshold from the training list only") {
    const synthetic_set set = synthetic(40, 2, 2, 0.05, 5);
    std::vector<face_pair> train, test;
    for (const face_pair& p : set.pairs) (p.fold == 0 ? train : test).push_back(p);
    const holdout_result result =
        holdout_protocol(set.features, train, test, {.pca = pca_options{.components = 6}});
    CHECK(result.train_accuracy == 1.0);
    CHECK(result.test_accuracy == 1.0);
    CHECK(result.test_scores.size() == test.size());

    synthetic_set changed = set;
    for (const face_pair& p : test) changed.features.row(p.first) *= -1.0;
    const holdout_result after =
        holdout_protocol(changed.features, train, test, {.pca = pca_options{.components = 6}});
    CHECK(after.threshold == doctest::Approx(result.threshold));
    CHECK(after.test_accuracy < 1.0);

    std::vector<face_pair> overlapping = test;
    overlapping.push_back(train.front());
    CHECK_THROWS_AS(holdout_protocol(set.features, train, overlapping), jhr::protocol_error);
    CHECK_THROWS_AS(holdout_protocol(set.features, train, {}), jhr::error);
}
