// jhr/eval/report.hpp: the verification result of one experimental setting, as JSON and markdown.
//
// setting_result gathers what the paper's Table 4 reports for one setting and test set: accuracy
// (mean and sample std over folds), TAR at FAR 0.1% (the paper's "TP") and 1%, AUC, and the ROC
// points they come from, computed over every pair's held-out score (see verification.hpp and roc.hpp).
// Rates are fractions in [0, 1] in the struct and JSON; the markdown table prints percentages with
// two decimals (AUC as a fraction with four).
#pragma once

#include "jhr/eval/roc.hpp"
#include "jhr/eval/verification.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace jhr::eval {

struct setting_result {
    std::string setting;
    std::string training_data;
    std::string testing_data;
    double accuracy_mean = 0.0;
    double accuracy_std = 0.0;
    double tar_at_far_0_1_percent = 0.0;
    double tar_at_far_1_percent = 0.0;
    double auc = 0.0;
    std::vector<roc_point> roc;
};

// Accuracy from `result`, ROC, TARs and AUC from result.scores.
inline setting_result summarize_setting(std::string setting, std::string training_data,
                                        std::string testing_data, const verification_result& result);

inline nlohmann::json to_json(const setting_result& result);

// "| Setting | Training data | Testing data | Acc | Std | TAR@FAR=0.1% | TAR@FAR=1% | AUC |", a
// separator row, then one row per result in the given order ('|' in names is escaped as '\|').
inline std::string markdown_table(const std::vector<setting_result>& results);

// ---------------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------------

inline setting_result summarize_setting(std::string setting, std::string training_data,
                                        std::string testing_data, const verification_result& result) {
    setting_result summary;
    summary.setting = std::move(setting);
    summary.training_data = std::move(training_data);
    summary.testing_data = std::move(testing_data);
    summary.accuracy_mean = result.accuracy_mean;
    summary.accuracy_std = result.accuracy_std;
    summary.roc = roc_curve(result.scores);
    summary.tar_at_far_0_1_percent = tar_at_far(summary.roc, 0.001).tar;
    summary.tar_at_far_1_percent = tar_at_far(summary.roc, 0.01).tar;
    summary.auc = area_under_curve(summary.roc);
    return summary;
}

inline nlohmann::json to_json(const setting_result& result) {
    nlohmann::json roc = nlohmann::json::array();
    for (const roc_point& p : result.roc)
        roc.push_back({{"threshold", p.threshold}, {"far", p.far}, {"tar", p.tar}});
    return {{"setting", result.setting},
            {"training_data", result.training_data},
            {"testing_data", result.testing_data},
            {"accuracy_mean", result.accuracy_mean},
            {"accuracy_std", result.accuracy_std},
            {"tar_at_far_0.1%", result.tar_at_far_0_1_percent},
            {"tar_at_far_1%", result.tar_at_far_1_percent},
            {"auc", result.auc},
            {"roc", roc}};
}

inline std::string markdown_table(const std::vector<setting_result>& results) {
    const auto percent = [](double fraction) {
        char text[32];
        std::snprintf(text, sizeof text, "%.2f%%", 100.0 * fraction);
        return std::string(text);
    };
    const auto cell = [](const std::string& text) {
        std::string escaped;
        for (char c : text) escaped += (c == '|') ? std::string("\\|") : std::string(1, c);
        return escaped;
    };
    std::string table =
        "| Setting | Training data | Testing data | Acc | Std | TAR@FAR=0.1% | TAR@FAR=1% | AUC |\n"
        "|---|---|---|---:|---:|---:|---:|---:|\n";
    for (const setting_result& r : results) {
        char auc[32];
        std::snprintf(auc, sizeof auc, "%.4f", r.auc);
        table += "| " + cell(r.setting) + " | " + cell(r.training_data) + " | " + cell(r.testing_data) +
                 " | " + percent(r.accuracy_mean) + " | " + percent(r.accuracy_std) + " | " +
                 percent(r.tar_at_far_0_1_percent) + " | " + percent(r.tar_at_far_1_percent) + " | " + auc +
                 " |\n";
    }
    return table;
}

} // namespace jhr::eval
