#include "jhr/experiments/table4.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <fstream>

using namespace jhr;
using namespace jhr::experiments;

TEST_CASE("holdout_as_folds: per-part accuracy at the tuned threshold, sample std over the parts") {
    eval::holdout_result h;
    h.threshold = 0.5;
    h.train_accuracy = 0.75;
    h.test_accuracy = 0.5; // 3 of the 6 pairs below
    // Part 0: both right; part 1: both wrong; part 2: one of two right.
    h.test_scores = {{0.9, true, 0},  {0.2, false, 0}, {0.4, true, 1},
                     {0.6, false, 1}, {0.7, true, 2},  {0.55, false, 2}};
    const auto v = experiments::detail::holdout_as_folds(h);
    REQUIRE(v.folds.size() == 3);
    CHECK(v.folds[0].test_accuracy == doctest::Approx(1.0));
    CHECK(v.folds[1].test_accuracy == doctest::Approx(0.0));
    CHECK(v.folds[2].test_accuracy == doctest::Approx(0.5));
    CHECK(v.accuracy_mean == doctest::Approx(0.5));
    // sqrt(((1 - .5)^2 + (0 - .5)^2 + 0) / 2) = 0.5, by hand.
    CHECK(v.accuracy_std == doctest::Approx(0.5));
    CHECK(v.accuracy_standard_error == doctest::Approx(0.5 / std::sqrt(3.0)));
    CHECK(v.scores.size() == 6);
}

TEST_CASE("run_table4 refuses a holdout set without tuning pairs") {
    data::synthetic_face_options face{64, 56, 1.0, 3.0};
    auto set = synthetic_verification_set(data::synthetic_faces(3, face), 20, 2, 1);
    set.protocol = pair_protocol::holdout;
    auto r = tiny_reproduce_options(scratch_dir("refuse"));
    r.table.model.classes = 2;
    std::ostringstream log;
    CHECK_THROWS_AS(run_table4<fast_backend>(data::synthetic_source(data::synthetic_faces(1, face), 2, 8),
                                             set, r.table, log),
                    error);
}

TEST_CASE("table5_markdown: three methods with PSNR and SSIM") {
    table4_result r;
    r.psnr_bicubic = 25.126, r.psnr_srnet = 26.5, r.psnr_joint = 27.0;
    r.ssim_bicubic = 0.8, r.ssim_srnet = 0.85, r.ssim_joint = 0.9;
    const std::string md = table5_markdown(r);
    CHECK(md.find("| Bicubic | 25.13 | 0.8000 |") != std::string::npos);
    CHECK(md.find("| Stand-alone SRNET | 26.50 | 0.8500 |") != std::string::npos);
    CHECK(md.find("| Joint Model SRNET | 27.00 | 0.9000 |") != std::string::npos);
}

TEST_CASE("loss_history: the last record of each iteration up to the final one, in head order") {
    const auto dir = scratch_dir("history");
    std::ofstream(dir / "metrics.jsonl") << R"({"iteration": 1, "losses": {"softmax": 5, "center": 1}})"
                                            "\n"
                                         << R"({"iteration": 2, "losses": {"softmax": 4, "center": 2}})"
                                            "\n"
                                         << R"({"iteration": 3, "losses": {"softmax": 9, "center": 9}})"
                                            "\n"
                                         << R"({"iteration": 2, "losses": {"softmax": 3, "center": 7}})"
                                            "\n"
                                         << R"({"iteration": 3, "losses": {"softmax": 2, "center": 8}})"
                                            "\n";
    training_report resumed;
    resumed.names = {"softmax", "center"};
    resumed.first_iteration = 1; // resumed after iteration 1, ran 2 and 3
    resumed.iterations = 2;
    const training_report h = experiments::detail::loss_history(dir / "metrics.jsonl", resumed);
    CHECK(h.first_iteration == 0);
    CHECK(h.iterations == 3);
    REQUIRE(h.losses.size() == 3);
    CHECK(h.losses[0] == std::vector<double>{5, 1});
    CHECK(h.losses[1] == std::vector<double>{3, 7});
    CHECK(h.losses[2] == std::vector<double>{2, 8});

    std::ofstream(dir / "bad.jsonl") << "{\"iteration\": 1}\n";
    CHECK_THROWS_AS(experiments::detail::loss_history(dir / "bad.jsonl", resumed), protocol_error);
}
