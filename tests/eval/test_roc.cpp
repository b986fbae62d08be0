#include "jhr/eval/roc.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace jhr::eval;

namespace {

// Four same (S) and four different (D) pairs with two ties, one of them mixed (0.8 S and 0.8 D).
std::vector<scored_pair> hand_built() {
    return {{0.9, true},  {0.8, true},  {0.8, false}, {0.7, true},
            {0.6, false}, {0.6, false}, {0.5, true},  {0.4, false}};
}

} // namespace

TEST_CASE("roc_curve on a hand-built list with ties") {
    // Descending thresholds; (FAR, TAR) after admitting each score group:
    // start (0, 0); 0.9: (0, .25); 0.8 S+D together: (.25, .5); 0.7: (.25, .75); 0.6 D+D: (.75, .75);
    // 0.5: (.75, 1); 0.4: (1, 1).
    const std::vector<roc_point> curve = roc_curve(hand_built());
    const std::vector<roc_point> expected = {{0.0, 0.0, 0.0},   {0.9, 0.0, 0.25},  {0.8, 0.25, 0.5},
                                             {0.7, 0.25, 0.75}, {0.6, 0.75, 0.75}, {0.5, 0.75, 1.0},
                                             {0.4, 1.0, 1.0}};
    REQUIRE(curve.size() == expected.size());
    CHECK(curve[0].threshold > 0.9);
    CHECK(curve[0].threshold < 0.9 + 1e-15);
    for (std::size_t i = 0; i < curve.size(); ++i) {
        CAPTURE(i);
        if (i > 0) CHECK(curve[i].threshold == expected[i].threshold);
        CHECK(curve[i].far == expected[i].far);
        CHECK(curve[i].tar == expected[i].tar);
    }
}

TEST_CASE("tar_at_far takes the largest TAR with FAR <= target, without interpolation") {
    const std::vector<roc_point> curve = roc_curve(hand_built());
    CHECK(tar_at_far(curve, 0.0).tar == 0.25);
    CHECK(tar_at_far(curve, 0.0).threshold == 0.9);
    CHECK(tar_at_far(curve, 0.2).tar == 0.25); // the tie at 0.8 jumps FAR to 0.25
    CHECK(tar_at_far(curve, 0.25).tar == 0.75);
    CHECK(tar_at_far(curve, 0.25).threshold == 0.7);
    CHECK(tar_at_far(curve, 0.5).tar == 0.75);
    CHECK(tar_at_far(curve, 0.75).tar == 1.0);
    CHECK_THROWS_AS(tar_at_far(curve, -0.1), jhr::error);
}

TEST_CASE("area_under_curve of the hand-built list") {
    // Trapezoids: .25 * (.25 + .5) / 2 + .5 * .75 + .25 * 1 = 0.71875. Equivalently, over the 16 (S, D)
    // pairs: 0.9 beats 4, 0.8 beats 3 and ties 1, 0.7 beats 3, 0.5 beats 1: (4 + 3.5 + 3 + 1) / 16.
    CHECK(area_under_curve(roc_curve(hand_built())) == doctest::Approx(0.71875));
}

TEST_CASE("roc on random tied scores agrees with brute force over all thresholds") {
    std::mt19937 generator(9);
    std::uniform_int_distribution<int> level(0, 20);
    std::bernoulli_distribution label(0.5);
    std::vector<scored_pair> pairs;
    for (int i = 0; i < 300; ++i) {
        const bool same = label(generator);
        pairs.push_back({(level(generator) + (same ? 5 : 0)) / 25.0, same});
    }
    const std::vector<roc_point> curve = roc_curve(pairs);

    double positives = 0, negatives = 0, wins = 0;
    for (const scored_pair& a : pairs) (a.same ? positives : negatives) += 1;
    for (const scored_pair& a : pairs) {
        for (const scored_pair& b : pairs) {
            if (a.same && !b.same) wins += a.score > b.score ? 1.0 : (a.score == b.score ? 0.5 : 0.0);
        }
    }
    CHECK(area_under_curve(curve) == doctest::Approx(wins / (positives * negatives)));

    for (double target : {0.0, 0.001, 0.01, 0.1, 0.3}) {
        CAPTURE(target);
        double best = 0.0;
        for (const scored_pair& t : pairs) {
            double accepted_same = 0, accepted_different = 0;
            for (const scored_pair& p : pairs) {
                if (p.score >= t.score) (p.same ? accepted_same : accepted_different) += 1;
            }
            if (accepted_different / negatives <= target) best = std::max(best, accepted_same / positives);
        }
        CHECK(tar_at_far(curve, target).tar == doctest::Approx(best));
    }
}

TEST_CASE("roc_curve needs both classes and finite scores") {
    CHECK_THROWS_AS(roc_curve({{0.5, true}, {0.2, true}}), jhr::error);
    CHECK_THROWS_AS(roc_curve({{0.5, false}}), jhr::error);
    CHECK_THROWS_AS(roc_curve({{0.5, true}, {std::nan(""), false}}), jhr::error);
}
