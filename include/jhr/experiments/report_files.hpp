// jhr/experiments/report_files.hpp: writes a Table 4 / Table 5 run as a report folder.
//
// write_report(dir, result, about) creates `dir` (and parents) and writes
//   report.md    what was run (about), Table 4 laid out like the paper's with the paper's LFW
//                numbers beside ours, Table 5 (PSNR and SSIM), training time per network;
//   metrics.json about + result.to_json() (every setting with its ROC, Table 5, training);
//   roc.svg      the six settings' ROC curves (FAR on a log axis), one polyline per setting;
//   losses.svg   per trained network and head, the unweighted training loss, averaged over
//                windows of ceil(iterations / 200) iterations: one polyline per (network, head);
//   sheet.png    face_sheet of result.samples.
// Throws io_error naming the file when a file cannot be written.
#pragma once

#include "jhr/eval/svg.hpp"
#include "jhr/experiments/face_sheet.hpp"

#include <filesystem>
#include <fstream>

namespace jhr::experiments {

// The paper's Table 4 (LFW columns: CASIA-WebFace training, LFW 10-fold testing) and Table 5.
struct paper_row {
    const char* setting;
    double accuracy; // percent
    double tp;       // TAR at FAR 0.1%, percent
};
inline constexpr paper_row paper_table4[6] = {{"1", 98.63, 94.73}, {"2", 96.35, 74.66},
                                              {"3", 96.30, 72.44}, {"4", 97.22, 82.40},
                                              {"5", 97.61, 83.03}, {"6 (joint)", 97.95, 88.73}};
inline constexpr double paper_psnr_bicubic = 30.08, paper_psnr_srnet = 31.70, paper_psnr_joint = 31.71;

struct report_about {
    std::string title = "Table 4 and Table 5";
    std::string command;  // how to reproduce the run
    std::string training; // training data, e.g. "LFW peopleDevTrain: 4038 people, 9525 images"
    std::string model;    // model size
    std::string backend;
    std::string machine;
    nlohmann::json config = nlohmann::json::object(); // every option, recorded in metrics.json
};

inline constexpr const char* report_files[] = {"report.md", "metrics.json", "roc.svg", "losses.svg",
                                               "sheet.png"};

std::string report_markdown(const table4_result& result, const report_about& about);
std::string losses_svg(const table4_result& result);
void write_report(const std::filesystem::path& dir, const table4_result& result, const report_about& about);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

inline std::string format(const char* pattern, double a, double b = 0, double c = 0, double d = 0) {
    char buffer[256];
    std::snprintf(buffer, sizeof buffer, pattern, a, b, c, d);
    return buffer;
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    if (!out) throw io_error(path.string() + ": cannot open for writing");
    out << text;
    if (!out.flush()) throw io_error(path.string() + ": write failed");
}

} // namespace detail

inline std::string report_markdown(const table4_result& r, const report_about& about) {
    using detail::format;
    std::string md = "# " + about.title + "\n\n";
    if (!about.command.empty()) md += "Command:\n\n```\n" + about.command + "\n```\n\n";
    md += "| | |\n|---|---|\n";
    md += "| Training data | " + about.training + " |\n";
    md += "| Test set | " + r.test_set + " |\n";
    md += "| Test faces / pairs | " + std::to_string(r.test_faces) + " faces, " +
          std::to_string(r.test_pairs) + " test pairs" +
          (r.tuning_pairs ? ", " + std::to_string(r.tuning_pairs) + " tuning pairs" : "") + " |\n";
    md += "| Model | " + about.model + " |\n";
    md += "| Backend | " + about.backend + " |\n";
    if (!about.machine.empty()) md += "| Machine | " + about.machine + " |\n";
    md += format("| Training time | %.0f s (all five networks) |\n", r.train_seconds);
    md += format("| Evaluation time | %.0f s |\n\n", r.evaluation_seconds);

    md += "## Table 4: verification accuracy and TAR\n\n"
          "Ours: mean ± sample std (percentage points) over the folds (parts) of the test list; TAR = "
          "true-accept rate at the "
          "given "
          "false-accept rate, over every test pair. Paper: CASIA-WebFace training, LFW View 2 (10 folds).\n\n"
          "| Setting | Training data | Testing data | Acc (ours) | TAR@FAR=0.1% (ours) | TAR@FAR=1% (ours) | "
          "AUC "
          "(ours) | Acc (paper) | TP (paper) |\n|---|---|---|---:|---:|---:|---:|---:|---:|\n";
    for (std::size_t i = 0; i < r.settings.size(); ++i) {
        const auto& s = r.settings[i];
        const paper_row* p = i < 6 ? &paper_table4[i] : nullptr;
        md += "| " + s.setting + " | " + s.training_data + " | " + s.testing_data + " | " +
              format("%.2f%% ± %.2f | %.2f%% | %.2f%%", 100 * s.accuracy_mean, 100 * s.accuracy_std,
                     100 * s.tar_at_far_0_1_percent, 100 * s.tar_at_far_1_percent) +
              format(" | %.4f", s.auc) +
              (p ? format(" | %.2f%% | %.2f%% |\n", p->accuracy, p->tp) : std::string(" | | |\n"));
    }
    md += "\n## Table 5: super-resolution quality on the test faces\n\n"
          "Y channel, shave 4 px, against the centre-cropped HR face.\n\n"
          "| Method | PSNR (ours, dB) | SSIM (ours) | PSNR (paper, dB) |\n|---|---:|---:|---:|\n";
    md += format("| Bicubic | %.2f | %.4f | %.2f |\n", r.psnr_bicubic, r.ssim_bicubic, paper_psnr_bicubic);
    md +=
        format("| Stand-alone SRNET | %.2f | %.4f | %.2f |\n", r.psnr_srnet, r.ssim_srnet, paper_psnr_srnet);
    md +=
        format("| Joint Model SRNET | %.2f | %.4f | %.2f |\n", r.psnr_joint, r.ssim_joint, paper_psnr_joint);

    md += "\n## Training\n\n| Network | Iterations | Seconds | Images/s | Final losses "
          "|\n|---|---:|---:|---:|---|\n";
    for (const auto& n : r.networks) {
        std::string losses;
        for (std::size_t k = 0; k < n.report.names.size() && !n.report.losses.empty(); ++k)
            losses += (k ? ", " : "") + n.report.names[k] + format(" %.4g", n.report.losses.back()[k]);
        md += "| " + n.name + " | " + std::to_string(n.report.iterations) +
              format(" | %.0f | %.1f | ", n.report.seconds, n.report.images_per_second) + losses + " |\n";
    }
    md += "\nFiles: `metrics.json` (all numbers and ROC points), `roc.svg`, `losses.svg`, `sheet.png` (rows: "
          "LR | "
          "bicubic | stand-alone SRNET | Joint Model SRNET | HR).\n";
    return md;
}

inline std::string losses_svg(const table4_result& r) {
    std::vector<eval::loss_series> series;
    for (const auto& n : r.networks) {
        const auto& losses = n.report.losses;
        const std::size_t window = std::max<std::size_t>(1, (losses.size() + 199) / 200);
        for (std::size_t k = 0; k < n.report.names.size(); ++k) {
            eval::loss_series s{n.name + ": " + n.report.names[k], {}, {}};
            for (std::size_t begin = 0; begin < losses.size(); begin += window) {
                const std::size_t end = std::min(losses.size(), begin + window);
                double sum = 0;
                for (std::size_t i = begin; i < end; ++i) sum += losses[i][k];
                s.iterations.push_back(double(n.report.first_iteration + std::int64_t(end)));
                s.values.push_back(sum / double(end - begin));
            }
            if (!s.values.empty()) series.push_back(std::move(s));
        }
    }
    return eval::loss_svg(series, "Training loss (unweighted, window means)");
}

inline void write_report(const std::filesystem::path& dir, const table4_result& r,
                         const report_about& about) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw io_error(dir.string() + ": cannot create report folder: " + ec.message());
    detail::write_text(dir / "report.md", report_markdown(r, about));
    nlohmann::json j = r.to_json();
    j["about"] = {{"title", about.title},  {"command", about.command}, {"training", about.training},
                  {"model", about.model},  {"backend", about.backend}, {"machine", about.machine},
                  {"config", about.config}};
    j["paper"] = {{"table4_lfw", nlohmann::json::array()},
                  {"table5_psnr",
                   {{"bicubic", paper_psnr_bicubic},
                    {"stand_alone_srnet", paper_psnr_srnet},
                    {"joint_srnet", paper_psnr_joint}}}};
    for (const paper_row& p : paper_table4)
        j["paper"]["table4_lfw"].push_back(
            {{"setting", p.setting}, {"accuracy", p.accuracy / 100}, {"tp", p.tp / 100}});
    detail::write_text(dir / "metrics.json", j.dump(2) + "\n");
    std::vector<eval::named_roc> curves;
    for (const auto& s : r.settings) curves.push_back({"Setting " + s.setting, s.roc});
    detail::write_text(dir / "roc.svg", eval::roc_svg(curves, true));
    detail::write_text(dir / "losses.svg", losses_svg(r));
    write_png(dir / "sheet.png", face_sheet(r.samples));
}

} // namespace jhr::experiments
