// jhr/tools/hallucinate_command.hpp: `jhr hallucinate LR_IMAGE OUT.png --checkpoint DIR`: the
// face SRNET hallucinates from a low-resolution face.
//
// The LR image is resized bicubically to the model's face size H x W (the SRCNN-style input
// SRNET was trained on); with --from-hr the input is instead an HR face, prepared by the face rule
// and degraded by the model's scale first (what training does). SRNET's 9x9 unpadded convolution
// returns (H - 8) x (W - 8): OUT holds that by default; with --full-size the SR pixels are pasted
// into the middle of the bicubic input, so OUT is H x W with a 4 px bicubic frame.
#pragma once

#include "model_options.hpp"
#include "precision_option.hpp"

#include <iostream>
#include <memory>
#include <string>

namespace jhr::cli {

struct hallucinate_options {
    std::string input, output, checkpoint, backend, precision, bicubic;
    bool from_hr = false, full_size = false, json = false;
};

namespace detail {

template <Backend B>
int run_hallucinate(const hallucinate_options& o) {
    face_model<B> model = face_model<B>::load(o.checkpoint);
    const model_config& c = model.config();
    const image in = read_image(o.input);
    const image up = o.from_hr ? degrade(read_face(o.input, c), c.scale, true)
                               : resize_bicubic(in, c.face_height, c.face_width);
    image sr = model.hallucinate({up}).front();
    if (o.full_size) {
        const int border = c.model.srnet.border();
        image framed = up;
        for (std::size_t y = 0; y < sr.shape(0); ++y)
            for (std::size_t x = 0; x < sr.shape(1); ++x)
                for (std::size_t ch = 0; ch < sr.shape(2); ++ch)
                    framed(y + border, x + border, ch) = sr(y, x, ch);
        sr = std::move(framed);
    }
    write_png(o.output, sr);
    if (!o.bicubic.empty()) write_png(o.bicubic, up);
    if (o.json) {
        std::cout << nlohmann::json{{"input", o.input},
                                    {"input_size", {image_height(in), image_width(in)}},
                                    {"output", o.output},
                                    {"output_size", {image_height(sr), image_width(sr)}},
                                    {"bicubic",
                                     o.bicubic.empty() ? nlohmann::json() : nlohmann::json(o.bicubic)}}
                         .dump()
                  << "\n";
        return 0;
    }
    std::cout << o.input << " (" << image_width(in) << "x" << image_height(in) << ") -> bicubic "
              << c.face_width << "x" << c.face_height << " -> SRNET -> " << o.output << " ("
              << image_width(sr) << "x" << image_height(sr) << ")\n";
    return 0;
}

} // namespace detail

inline void add_hallucinate_command(CLI::App& app) {
    auto o = std::make_shared<hallucinate_options>();
    CLI::App* cmd = app.add_subcommand("hallucinate", "Super-resolve a low-resolution face with SRNET");
    cmd->footer(
        "The LR image is resized (bicubic) to the model's face size HxW and passed through SRNET, whose "
        "unpadded 9x9 convolution returns (H-8)x(W-8) pixels: the output is that size (its pixel (0, 0) "
        "is pixel (4, 4) of the face), or HxW with --full-size, where the 4 px frame keeps the bicubic "
        "pixels. Sizes are printed as width x height. Works with checkpoints of setting srnet, "
        "hallucinated (its SRNET) and joint.");
    cmd->add_option("LR_IMAGE", o->input, "low-resolution face (JPEG or PNG), e.g. from `jhr degrade`")
        ->required();
    cmd->add_option("OUT", o->output, "output PNG")->required();
    add_checkpoint_option(cmd, o->checkpoint);
    cmd->add_flag("--from-hr", o->from_hr,
                  "LR_IMAGE is an HR face: prepare it and degrade it by the model's scale first");
    cmd->add_flag("--full-size", o->full_size,
                  "write HxW: the SR face inside a 4 px frame of bicubic pixels");
    cmd->add_option("--bicubic", o->bicubic, "also write the bicubic HxW input to this PNG");
    add_backend_option(cmd, o->backend);
    add_precision_option(cmd, o->precision);
    cmd->add_flag("--json", o->json,
                  "print {input, input_size, output, output_size, bicubic} (sizes as [height, width])");
    cmd->callback([o] {
        with_backend_at(o->backend, o->precision, [&]<class B>() { return detail::run_hallucinate<B>(*o); });
    });
}

} // namespace jhr::cli
