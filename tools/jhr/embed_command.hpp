// jhr/tools/embed_command.hpp: `jhr embed IMAGE... --checkpoint DIR`: the face descriptor of each
// image: FRNET's feature of the prepared face and of its horizontal flip, concatenated (2 x the
// model's feature size), as the verification protocols use it.
#pragma once

#include "model_options.hpp"
#include "precision_option.hpp"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace jhr::cli {

struct embed_options {
    std::vector<std::string> images;
    std::string checkpoint, test_type, backend, precision;
    bool json = false;
};

namespace detail {

template <Backend B>
int run_embed(const embed_options& o) {
    face_model<B> model = face_model<B>::load(o.checkpoint);
    const test_input input =
        o.test_type.empty() ? default_test_input(model.config().setting) : parse_test_input(o.test_type);
    std::vector<image> faces;
    for (const std::string& path : o.images) faces.push_back(read_face(path, model.config()));
    const Eigen::MatrixXd f = model.embed(faces, input);
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < o.images.size(); ++i) {
        const Eigen::RowVectorXd row = f.row(Eigen::Index(i));
        out.push_back({{"image", o.images[i]},
                       {"test_type", to_string(input)},
                       {"dimension", row.size()},
                       {"feature", std::vector<double>(row.data(), row.data() + row.size())}});
    }
    if (o.json) {
        std::cout << (out.size() == 1 ? out[0] : out).dump() << "\n";
        return 0;
    }
    for (std::size_t i = 0; i < o.images.size(); ++i) {
        const Eigen::RowVectorXd row = f.row(Eigen::Index(i));
        std::cout << o.images[i] << ": " << row.size() << "-d descriptor (face + flip, test input "
                  << to_string(input) << "), L2 norm " << fixed(row.norm()) << "\n";
        for (Eigen::Index k = 0; k < row.size(); ++k)
            std::cout << (k % 8 == 0 ? "  " : " ") << fixed(row[k])
                      << (k % 8 == 7 || k + 1 == row.size() ? "\n" : "");
    }
    return 0;
}

} // namespace detail

inline void add_embed_command(CLI::App& app) {
    auto o = std::make_shared<embed_options>();
    CLI::App* cmd = app.add_subcommand("embed", "Print the face descriptor of images");
    cmd->footer(face_rule_help());
    cmd->add_option("IMAGE", o->images, "face images (JPEG or PNG)")->required();
    add_checkpoint_option(cmd, o->checkpoint);
    cmd->add_option("--test-type", o->test_type,
                    "hr, lr or hallucinated: what the network sees of the face (default: its training input)")
        ->check(CLI::IsMember({"hr", "lr", "hallucinated"}));
    add_backend_option(cmd, o->backend);
    add_precision_option(cmd, o->precision);
    cmd->add_flag("--json", o->json,
                  "print {image, test_type, dimension, feature} (an array for several images)");
    cmd->callback([o] {
        with_backend_at(o->backend, o->precision, [&]<class B>() { return detail::run_embed<B>(*o); });
    });
}

} // namespace jhr::cli
