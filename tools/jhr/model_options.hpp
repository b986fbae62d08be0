// jhr/tools/model_options.hpp: the flags and helpers the model subcommands (train, eval, embed,
// verify, hallucinate) share: --backend with a check against the built backends, reading a face
// image under the model's face rule (jhr/train/face_model.hpp), and fixed-precision numbers for
// readable output.
#pragma once

#include "backend_dispatch.hpp"

#include "jhr/train/face_model.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <string>

namespace jhr::cli {

inline CLI::Option* add_backend_option(CLI::App* cmd, std::string& backend) {
    backend = default_backend();
    const auto names = built_backends();
    return cmd
        ->add_option("--backend", backend,
                     "compute backend: one of " + built_backends_list() +
                         " (the ones this program was built "
                         "with; cuda needs a GPU at run time)")
        ->check(CLI::IsMember(names))
        ->capture_default_str();
}

inline CLI::Option* add_checkpoint_option(CLI::App* cmd, std::string& dir) {
    return cmd
        ->add_option("--checkpoint", dir,
                     "checkpoint directory written by `jhr train` (its latest checkpoint is used), or one "
                     "ckpt-<n> folder inside it")
        ->required();
}

// The face rule of --help texts.
inline std::string face_rule_help() {
    return "Images (JPEG/PNG) are prepared as in training: an image of the model's face size is used as "
           "is; a 250x250 image (LFW deep-funneled) is cut to the fixed box x 71, y 54, 108x124 and resized "
           "to the face size; any other image is resized whole (bicubic) to the face size, so it must "
           "already be an aligned face crop.";
}

// An HR face image, prepared for `config`.
inline image read_face(const std::string& path, const model_config& config) {
    return prepare_face(read_image(path), config.face_height, config.face_width);
}

inline std::string fixed(double value, int digits = 4) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
    return buffer;
}

} // namespace jhr::cli
