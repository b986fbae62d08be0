// jhr/tools/degrade_command.hpp: `jhr degrade IN OUT --scale 4 [--up]`.
//
// Reads IN (JPEG/PNG), writes OUT (PNG) holding the LR image: imresize-compatible bicubic
// down-sampling by --scale (output ceil(H/scale) x ceil(W/scale)); with --up, the LR image
// bicubic-upscaled back to IN's size (the SR network input). Failures throw jhr errors.
#pragma once

#include "jhr/data/resize.hpp"
#include "jhr/io/image.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

namespace jhr::cli {

inline void add_degrade_command(CLI::App& app) {
    struct options {
        std::string input, output;
        int scale = 4;
        bool up = false;
    };
    auto opts = std::make_shared<options>();
    CLI::App* cmd =
        app.add_subcommand("degrade", "Write the bicubic down-sampled (LR) version of a face image");
    cmd->add_option("IN", opts->input, "input image (JPEG or PNG)")->required();
    cmd->add_option("OUT", opts->output, "output PNG")->required();
    cmd->add_option("--scale", opts->scale, "down-sampling factor")->check(CLI::Range(1, 64));
    cmd->add_flag("--up", opts->up, "upscale the LR image back to the input size");
    cmd->callback([opts] {
        const image hr = read_image(opts->input);
        const image out = degrade(hr, opts->scale, opts->up);
        write_png(opts->output, out);
        std::cout << opts->input << " (" << image_width(hr) << "x" << image_height(hr) << ") -> "
                  << opts->output << " (" << image_width(out) << "x" << image_height(out) << ")\n";
    });
}

} // namespace jhr::cli
