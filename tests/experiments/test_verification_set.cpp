#include "jhr/experiments/verification_set.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace jhr;
using namespace jhr::experiments;

TEST_CASE("synthetic_pairs: all same pairs, as many different pairs, folds person-disjoint") {
    const std::size_t ids = 20, per = 4;
    const auto pairs = synthetic_pairs(ids, per, 7);
    std::size_t same = 0;
    for (const auto& p : pairs) {
        const auto a = std::size_t(p.first) / per, b = std::size_t(p.second) / per;
        CHECK(p.same == (a == b));
        CHECK(int(a % 10) == p.fold);
        CHECK(int(b % 10) == p.fold);
        same += p.same;
    }
    CHECK(same == ids * per * (per - 1) / 2); // 20 * C(4, 2) = 120
    CHECK(pairs.size() == 2 * same);
    CHECK_THROWS_AS(synthetic_pairs(19, 4, 7), error);
    CHECK_THROWS_AS(synthetic_pairs(20, 1, 7), error);
}

TEST_CASE("LFW View 1 verification set: tuning and test lists, disjoint from the training people") {
    const auto root = lfw_dir();
    if (root.empty()) {
        MESSAGE("LFW not found (set JHR_LFW_DIR); skipping the LFW View 1 set test");
        return;
    }
    const auto set = lfw_view1_verification_set(root, 64, 56);
    CHECK(set.protocol == pair_protocol::holdout);
    CHECK(set.tuning_pairs.size() == 2200); // pairsDevTrain: 1100 + 1100
    CHECK(set.pairs.size() == 1000);        // pairsDevTest: 500 + 500
    // Distinct images: 3443 in pairsDevTrain, 1549 in pairsDevTest, none shared (counted with python3).
    CHECK(set.faces.size() == 3443 + 1549);
    std::set<Eigen::Index> tuning_rows;
    for (const auto& p : set.tuning_pairs) tuning_rows.insert(p.first), tuning_rows.insert(p.second);
    std::map<int, int> per_part;
    for (const auto& p : set.pairs) {
        CHECK(tuning_rows.count(p.first) == 0);
        CHECK(tuning_rows.count(p.second) == 0);
        ++per_part[p.fold];
    }
    CHECK(per_part.size() == 10);
    for (const auto& [part, count] : per_part) CHECK(count == 100);

    const auto train = lfw_view1_training_set(root, 64, 56);
    CHECK(train.classes == 4038);
    CHECK(train.faces.size() == 9525); // sum of peopleDevTrain.txt's image counts
    const auto face = set.faces.load(set.pairs.front().first);
    CHECK(image_height(face.hr) == 64);
    CHECK(image_width(face.hr) == 56);

    const auto small = lfw_view1_verification_set(root, 64, 56, 5);
    CHECK(small.tuning_pairs.size() == 10);
    CHECK(small.pairs.size() == 10);
    CHECK(small.faces.size() <= 40);
    const auto limited = lfw_view1_training_set(root, 64, 56, 30);
    CHECK(limited.faces.size() >= 30);
    CHECK(limited.faces.load(limited.faces.size() - 1).label == limited.classes - 1);
}

TEST_CASE("LFW View 1: no person of pairsDevTest is a training person") {
    const auto root = lfw_dir();
    if (root.empty()) {
        MESSAGE("LFW not found (set JHR_LFW_DIR); skipping");
        return;
    }
    std::set<std::string> training;
    for (const auto& set : data::read_lfw_people(root / "peopleDevTrain.txt").sets)
        for (const auto& p : set) training.insert(p.name);
    const auto test = data::read_lfw_pairs(root / "pairsDevTest.txt");
    for (const auto& p : test.pairs) {
        CHECK(training.count(p.name1) == 0);
        CHECK(training.count(p.name2) == 0);
    }
    // pairsDevTrain draws on the training people: it is View 1's tuning list.
    for (const auto& p : data::read_lfw_pairs(root / "pairsDevTrain.txt").pairs)
        CHECK(training.count(p.name1) == 1);
}
