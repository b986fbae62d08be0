// jhr/tools/eval_command.hpp: `jhr eval`: LFW-style face verification of a trained model.
//
// Reads a pairs file (jhr/data/lfw.hpp), computes the descriptor (FRNET feature of the face and of
// its flip, concatenated) of every image it names once, then runs
//   View 2: the K-fold protocol of a "K N" pairs.txt (PCA and threshold on the other folds), or
//   View 1: with --view1-train pairsDevTrain.txt, PCA and threshold from it, accuracy on --pairs;
// and reports accuracy (mean, sample std over folds), TAR at FAR 0.1% and 1%, and AUC over every
// pair's held-out score (jhr/eval). It also reports the raw-cosine threshold that is best over all
// pairs, the value to give `jhr verify --threshold` (which scores without PCA).
#pragma once

#include "model_options.hpp"
#include "precision_option.hpp"

#include "jhr/data/lfw.hpp"
#include "jhr/eval/report.hpp"
#include "jhr/eval/verification.hpp"

#include <iostream>
#include <map>
#include <memory>
#include <string>

namespace jhr::cli {

struct eval_options {
    std::string checkpoint, pairs, image_root, view1_train, test_type, backend, precision;
    std::size_t batch = 32;
    bool skip_missing = false, json = false, quiet = false;
};

namespace detail {

// Image paths -> feature rows, each path once.
struct pair_rows {
    std::vector<std::filesystem::path> images;
    std::map<std::filesystem::path, Eigen::Index> row;
    std::vector<eval::face_pair> add(const data::resolved_pairs& pairs) {
        std::vector<eval::face_pair> out;
        auto index = [&](const std::filesystem::path& p) {
            const auto [it, inserted] = row.emplace(p, Eigen::Index(images.size()));
            if (inserted) images.push_back(p);
            return it->second;
        };
        for (const auto& p : pairs.pairs) out.push_back({index(p.first), index(p.second), p.same, p.fold});
        return out;
    }
};

template <Backend B>
Eigen::MatrixXd embed_files(face_model<B>& model, const std::vector<std::filesystem::path>& files,
                            test_input input, std::size_t batch, bool quiet) {
    Eigen::MatrixXd out(Eigen::Index(files.size()), model.feature_size());
    for (std::size_t begin = 0; begin < files.size(); begin += batch) {
        const std::size_t end = std::min(files.size(), begin + batch);
        std::vector<image> faces;
        for (std::size_t i = begin; i < end; ++i)
            faces.push_back(read_face(files[i].string(), model.config()));
        out.middleRows(Eigen::Index(begin), Eigen::Index(end - begin)) = model.embed(faces, input);
        if (!quiet) std::cerr << "\rfeatures " << end << "/" << files.size() << std::flush;
    }
    if (!quiet && !files.empty()) std::cerr << "\n";
    return out;
}

inline nlohmann::json eval_summary(const eval::setting_result& r) {
    nlohmann::json j = eval::to_json(r);
    j.erase("roc");
    j.erase("setting");
    j.erase("training_data");
    j.erase("testing_data");
    return j;
}

template <Backend B>
int run_eval(const eval_options& o) {
    face_model<B> model = face_model<B>::load(o.checkpoint);
    const test_input input =
        o.test_type.empty() ? default_test_input(model.config().setting) : parse_test_input(o.test_type);
    const data::lfw_pairs test_list = data::read_lfw_pairs(o.pairs);
    const bool view1 = !o.view1_train.empty();
    if (!view1 && test_list.folds < 2)
        throw protocol_error(
            o.pairs + ": has " + std::to_string(test_list.folds) +
            " fold; the K-fold protocol needs at least 2 (for pairsDevTest.txt give --view1-train "
            "pairsDevTrain.txt)");
    pair_rows rows;
    std::size_t skipped = 0;
    std::vector<eval::face_pair> train_pairs;
    if (view1) {
        const auto resolved = data::resolve_lfw_pairs(data::read_lfw_pairs(o.view1_train), o.image_root,
                                                      o.skip_missing, o.view1_train);
        skipped += resolved.skipped;
        train_pairs = rows.add(resolved);
    }
    const auto resolved = data::resolve_lfw_pairs(test_list, o.image_root, o.skip_missing, o.pairs);
    skipped += resolved.skipped;
    const std::vector<eval::face_pair> test_pairs = rows.add(resolved);
    if (test_pairs.empty())
        throw error(o.pairs + ": no pair left to evaluate (" + std::to_string(skipped) + " skipped)");

    const Eigen::MatrixXd features = embed_files(model, rows.images, input, o.batch, o.quiet);
    eval::setting_result r;
    nlohmann::json j = {{"protocol", view1 ? "view1" : "view2"},
                        {"test_type", to_string(input)},
                        {"setting", to_string(model.config().setting)},
                        {"backend", std::string(B::name)},
                        {"precision", o.precision},
                        {"images", rows.images.size()},
                        {"pairs", test_pairs.size()},
                        {"skipped_pairs", skipped}};
    if (view1) {
        const eval::holdout_result h = eval::holdout_protocol(features, train_pairs, test_pairs, {});
        eval::verification_result v;
        v.accuracy_mean = h.test_accuracy;
        v.scores = h.test_scores;
        r = eval::summarize_setting("", "", "", v);
        j["train_pairs"] = train_pairs.size();
        j["threshold"] = h.threshold;
        j["train_accuracy"] = h.train_accuracy;
    } else {
        const eval::verification_result v = eval::k_fold_protocol(features, test_pairs, {});
        r = eval::summarize_setting("", "", "", v);
        j["folds"] = nlohmann::json::array();
        for (const auto& f : v.folds)
            j["folds"].push_back({{"fold", f.fold + 1},
                                  {"threshold", f.threshold},
                                  {"test_accuracy", f.test_accuracy},
                                  {"test_pairs", f.test_pairs}});
    }
    j.update(eval_summary(r));
    const eval::threshold_choice raw = eval::best_threshold(eval::cosine_scores(features, test_pairs));
    j["verify_threshold"] = raw.threshold;
    j["verify_threshold_accuracy"] = raw.accuracy();
    if (o.json) {
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    const auto pct = [](double f) { return fixed(100.0 * f, 2) + "%"; };
    std::cout << (view1 ? "LFW View 1 (threshold and PCA from " + o.view1_train + ")"
                        : "LFW View 2, " + std::to_string(test_list.folds) + "-fold cross-validation")
              << ", setting " << j["setting"].get<std::string>() << ", test input " << to_string(input)
              << "\n"
              << test_pairs.size() << " pairs over " << rows.images.size() << " images";
    if (skipped > 0) std::cout << " (" << skipped << " pairs skipped: missing images)";
    std::cout << "\naccuracy      " << pct(r.accuracy_mean);
    if (!view1) std::cout << " +- " << pct(r.accuracy_std) << " (sample std over folds)";
    std::cout << "\nTAR@FAR=0.1%  " << pct(r.tar_at_far_0_1_percent) << "\nTAR@FAR=1%    "
              << pct(r.tar_at_far_1_percent) << "\nAUC           " << fixed(r.auc)
              << "\nverify threshold (raw cosine, best over these pairs) " << fixed(raw.threshold)
              << " (accuracy " << pct(raw.accuracy()) << ")\n";
    return 0;
}

} // namespace detail

inline void add_eval_command(CLI::App& app) {
    auto o = std::make_shared<eval_options>();
    CLI::App* cmd = app.add_subcommand("eval", "LFW verification accuracy, TAR@FAR and AUC of a checkpoint");
    cmd->footer(
        "View 2: --pairs pairs.txt (first line 'folds pairs_per_fold'); each fold is tested with PCA and "
        "the threshold fitted on the other folds. View 1: --pairs pairsDevTest.txt --view1-train "
        "pairsDevTrain.txt. Image paths: IMAGE_ROOT/NAME/NAME_%04d.jpg. " +
        face_rule_help());
    add_checkpoint_option(cmd, o->checkpoint);
    cmd->add_option("--pairs", o->pairs,
                    "LFW pairs file: pairs.txt (View 2) or pairsDevTest.txt (with --view1-train)")
        ->required();
    cmd->add_option("--image-root", o->image_root, "folder holding NAME/NAME_%04d.jpg")->required();
    cmd->add_option("--view1-train", o->view1_train,
                    "pairsDevTrain.txt: View 1 protocol (PCA and threshold from it)");
    cmd->add_option(
           "--test-type", o->test_type,
           "what the network sees of each image: hr (the face), lr (its bicubic LR version, upscaled), "
           "hallucinated (LR through the stand-alone SRNET); default: what the model was trained on")
        ->check(CLI::IsMember({"hr", "lr", "hallucinated"}));
    cmd->add_flag("--skip-missing", o->skip_missing,
                  "drop pairs whose images are missing (counted in the report) instead of failing");
    cmd->add_option("--batch", o->batch, "images per forward pass")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    add_backend_option(cmd, o->backend);
    add_precision_option(cmd, o->precision);
    cmd->add_flag("--quiet", o->quiet, "no progress on stderr");
    cmd->add_flag("--json", o->json, "print the result as JSON");
    cmd->callback([o] {
        with_backend_at(o->backend, o->precision, [&]<class B>() { return detail::run_eval<B>(*o); });
    });
}

} // namespace jhr::cli
