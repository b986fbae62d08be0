#include "jhr/eval/report.hpp"

#include <doctest/doctest.h>

#include <sstream>

using namespace jhr::eval;

namespace {

verification_result hand_result() {
    verification_result result;
    result.accuracy_mean = 0.9863;
    result.accuracy_std = 0.0042;
    // Same as the ROC test: AUC 0.71875, TAR 0.25 at FAR 0 (so at 0.1% and 1%).
    result.scores = {{0.9, true},  {0.8, true},  {0.8, false}, {0.7, true},
                     {0.6, false}, {0.6, false}, {0.5, true},  {0.4, false}};
    return result;
}

} // namespace

TEST_CASE("summarize_setting computes TARs and AUC from the held-out scores") {
    const setting_result summary = summarize_setting("1", "HR", "HR", hand_result());
    CHECK(summary.accuracy_mean == 0.9863);
    CHECK(summary.tar_at_far_0_1_percent == 0.25);
    CHECK(summary.tar_at_far_1_percent == 0.25);
    CHECK(summary.auc == doctest::Approx(0.71875));
    CHECK(summary.roc.size() == 7);
}

TEST_CASE("to_json carries every field") {
    const nlohmann::json json = to_json(summarize_setting("6", "LR", "LR-LFW", hand_result()));
    CHECK(json["setting"] == "6");
    CHECK(json["testing_data"] == "LR-LFW");
    CHECK(json["accuracy_std"].get<double>() == 0.0042);
    CHECK(json["tar_at_far_0.1%"].get<double>() == 0.25);
    CHECK(json["auc"].get<double>() == doctest::Approx(0.71875));
    REQUIRE(json["roc"].size() == 7);
    CHECK(json["roc"][2]["far"].get<double>() == 0.25);
    CHECK(json["roc"][2]["tar"].get<double>() == 0.5);
}

TEST_CASE("markdown_table lays out one row per setting like Table 4") {
    setting_result second = summarize_setting("2", "HR", "LR|x", hand_result());
    second.accuracy_mean = 0.9635;
    const std::string table = markdown_table({summarize_setting("1", "HR", "HR", hand_result()), second});
    std::istringstream lines(table);
    std::string header, separator, row1, row2, extra;
    std::getline(lines, header), std::getline(lines, separator), std::getline(lines, row1),
        std::getline(lines, row2);
    CHECK(header ==
          "| Setting | Training data | Testing data | Acc | Std | TAR@FAR=0.1% | TAR@FAR=1% | AUC |");
    CHECK(separator == "|---|---|---|---:|---:|---:|---:|---:|");
    CHECK(row1 == "| 1 | HR | HR | 98.63% | 0.42% | 25.00% | 25.00% | 0.7188 |");
    CHECK(row2 == "| 2 | HR | LR\\|x | 96.35% | 0.42% | 25.00% | 25.00% | 0.7188 |");
    CHECK_FALSE(std::getline(lines, extra));
}
