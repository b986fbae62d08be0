#include "jhr/experiments/reproduce.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <fstream>

using namespace jhr;
using namespace jhr::experiments;

TEST_CASE("reproduce on a small LFW View 1 subset: holdout protocol end to end") {
    const auto root = lfw_dir();
    if (root.empty()) {
        MESSAGE("LFW not found at $JHR_LFW_DIR or JHR_SOURCE_DIR/../shared/data/lfw; skipping the LFW View 1 "
                "run");
        return;
    }
    auto r = tiny_reproduce_options(scratch_dir("reproduce_lfw") / "report");
    r.data = "lfw-view1";
    r.lfw_dir = root;
    r.lfw_train_limit = 24;
    r.lfw_pairs_per_half = 10;
    std::ostringstream log;
    const table4_result result = reproduce<fast_backend>(r, log);
    CHECK(result.tuning_pairs == 20);
    CHECK(result.test_pairs == 20);
    REQUIRE(result.settings.size() == 6);
    for (const auto& s : result.settings) {
        CHECK(s.accuracy_mean >= 0.0);
        CHECK(s.accuracy_mean <= 1.0);
        CHECK(s.roc.back().tar == doctest::Approx(1.0)); // the ROC ends at (1, 1)
    }
    std::ifstream md(r.out / "report.md");
    std::string text((std::istreambuf_iterator<char>(md)), std::istreambuf_iterator<char>());
    CHECK(text.find("pairsDevTest") != std::string::npos);
    CHECK(text.find("LFW peopleDevTrain.txt") != std::string::npos);
}

TEST_CASE("reproduce with checkpoints: a rerun resumes finished networks and gives the same results") {
    const auto dir = scratch_dir("resume");
    auto r = tiny_reproduce_options(dir / "report");
    r.table.checkpoint_dir = dir / "checkpoints";
    r.table.checkpoint_every = 2;
    std::ostringstream log;
    const table4_result first = reproduce<fast_backend>(r, log);
    CHECK(std::filesystem::is_regular_file(dir / "checkpoints" / "joint" / "metrics.jsonl"));
    const table4_result again = reproduce<fast_backend>(r, log);
    REQUIRE(again.networks.size() == 5);
    for (std::size_t n = 0; n < 5; ++n) {
        CHECK(again.networks[n].report.iterations == 3);
        CHECK(again.networks[n].report.losses == first.networks[n].report.losses);
    }
    for (std::size_t s = 0; s < 6; ++s)
        CHECK(again.settings[s].accuracy_mean == doctest::Approx(first.settings[s].accuracy_mean));
    CHECK(again.psnr_joint == doctest::Approx(first.psnr_joint));
}

TEST_CASE("reproduce refuses unknown data and an incomplete View 2 request") {
    auto r = tiny_reproduce_options(scratch_dir("refuse") / "report");
    std::ostringstream log;
    r.data = "casia";
    CHECK_THROWS_AS(reproduce<fast_backend>(r, log), error);
    r.data = "lfw-view2";
    CHECK_THROWS_AS(reproduce<fast_backend>(r, log), error);
    CHECK_FALSE(std::filesystem::exists(r.out));
}
