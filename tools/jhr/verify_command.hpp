// jhr/tools/verify_command.hpp: `jhr verify IMAGE1 IMAGE2 --checkpoint DIR --threshold T`: the
// cosine similarity of the two face descriptors (face + flip), in [-1, 1], and the decision
// "same" iff score >= T. No PCA: take T from `jhr eval`'s "verify threshold".
#pragma once

#include "model_options.hpp"
#include "precision_option.hpp"

#include <iostream>
#include <memory>
#include <string>

namespace jhr::cli {

struct verify_options {
    std::string first, second, checkpoint, test_type, backend, precision;
    double threshold = 0;
    bool json = false;
};

namespace detail {

template <Backend B>
int run_verify(const verify_options& o) {
    face_model<B> model = face_model<B>::load(o.checkpoint);
    const test_input input =
        o.test_type.empty() ? default_test_input(model.config().setting) : parse_test_input(o.test_type);
    const Eigen::MatrixXd f =
        model.embed({read_face(o.first, model.config()), read_face(o.second, model.config())}, input);
    const double score = eval::cosine_scores(f, {{0, 1, false, 0}}).front().score;
    const bool same = score >= o.threshold;
    if (o.json) {
        std::cout << nlohmann::json{{"image1", o.first}, {"image2", o.second},
                                    {"score", score},    {"threshold", o.threshold},
                                    {"same", same},      {"test_type", to_string(input)}}
                         .dump()
                  << "\n";
        return 0;
    }
    std::cout << o.first << " vs " << o.second << ": cosine " << fixed(score) << (same ? " >= " : " < ")
              << fixed(o.threshold) << ": " << (same ? "same person" : "different people") << "\n";
    return 0;
}

} // namespace detail

inline void add_verify_command(CLI::App& app) {
    auto o = std::make_shared<verify_options>();
    CLI::App* cmd = app.add_subcommand("verify", "Decide whether two face images show the same person");
    cmd->footer(
        "Score: cosine similarity of the two descriptors (FRNET feature of face and flip, concatenated), "
        "without PCA. Exit status 0 either way; read the decision from the output. " +
        face_rule_help());
    cmd->add_option("IMAGE1", o->first, "first face image")->required();
    cmd->add_option("IMAGE2", o->second, "second face image")->required();
    add_checkpoint_option(cmd, o->checkpoint);
    cmd->add_option("--threshold", o->threshold,
                    "same iff cosine >= threshold (see `jhr eval`'s verify threshold)")
        ->required()
        ->check(CLI::Range(-1.0, 1.0));
    cmd->add_option("--test-type", o->test_type,
                    "hr, lr or hallucinated (default: the model's training input)")
        ->check(CLI::IsMember({"hr", "lr", "hallucinated"}));
    add_backend_option(cmd, o->backend);
    add_precision_option(cmd, o->precision);
    cmd->add_flag("--json", o->json, "print {image1, image2, score, threshold, same, test_type}");
    cmd->callback([o] {
        with_backend_at(o->backend, o->precision, [&]<class B>() { return detail::run_verify<B>(*o); });
    });
}

} // namespace jhr::cli
