// jhr/train/face_model.hpp: a trained network loaded from a checkpoint for inference.
//
// face_model<B>::load(dir) reads the checkpoint (dir holding ckpt-<n> folders and "latest", or one
// ckpt-<n> folder), parses its model config (jhr/train/model_config.hpp), builds the cascade the
// config's setting trained (srnet: SRNET alone; hr, lr, hallucinated: FRNET alone; joint: the Joint
// Model) and restores its weights, names and shapes checked. A model of setting "hallucinated" also
// loads the stand-alone SRNET its config names, since its FRNET only ever saw that SRNET's output.
//
// Face rule (prepare_face), the same for training files and inference: an image already H x W
// (the config's face size) is used as is; a 250 x 250 image (LFW deep-funneled) is cut to
// lfw_deep_funneled_box and resized to H x W; any other image is resized whole, bicubically, to
// H x W (no crop: such images must already be aligned face crops).
// Test input (what FRNET is shown for a prepared HR face):
//   hr:           the face, centre-cropped by SRNET's border (FRNET-only models);
//   lr:           degrade(face, scale, upscale) then, for FRNET-only models, the same crop; the
//                 Joint Model runs its own SRNET on it;
//   hallucinated: degrade then the stand-alone SRNET (models of setting "hallucinated").
// embed returns one row per face: FRNET's feature of the face and of its horizontal flip,
// concatenated (2 x features columns, paper §4.1). hallucinate maps LR faces already upscaled to
// H x W to SRNET's (H - 2 border) x (W - 2 border) output, in 0..255.
#pragma once

#include "jhr/data/alignment.hpp"
#include "jhr/data/loader.hpp"
#include "jhr/eval/features.hpp"
#include "jhr/train/checkpointing.hpp"
#include "jhr/train/model_config.hpp"

#include <Eigen/Dense>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <variant>

namespace jhr {

enum class test_input { hr, lr, hallucinated };

inline std::string to_string(test_input t) {
    switch (t) {
    case test_input::hr:
        return "hr";
    case test_input::lr:
        return "lr";
    case test_input::hallucinated:
        return "hallucinated";
    }
    return "?";
}
inline test_input parse_test_input(const std::string& s) {
    for (test_input t : {test_input::hr, test_input::lr, test_input::hallucinated})
        if (to_string(t) == s) return t;
    throw error("unknown test input '" + s + "' (expected hr, lr or hallucinated)");
}
// The input a model of setting `s` was trained on (srnet has none: it does not embed).
inline test_input default_test_input(setting s) {
    return s == setting::hr             ? test_input::hr
           : s == setting::hallucinated ? test_input::hallucinated
                                        : test_input::lr;
}

image prepare_face(const image& img, int height, int width);

// The checkpoint in `dir`: the latest of a checkpoint directory, or `dir` itself if it is one ckpt-<n>.
checkpoint load_model_checkpoint(const std::filesystem::path& dir, std::ostream& warnings = std::cerr);
// The model config a checkpoint carries; protocol_error naming `source` when it has none or it is invalid.
model_config read_model_config(const checkpoint& c, const std::string& source);

template <Backend B>
class face_model {
public:
    face_model(model_config config, const std::vector<named_array>& weights);
    static face_model load(const std::filesystem::path& dir);

    const model_config& config() const { return config_; }
    bool can_embed() const { return config_.setting != setting::srnet; }
    bool can_hallucinate() const { return sr_stage() != nullptr; }
    int feature_size() const { return 2 * config_.model.frnet.features; }
    // SRNET's output size for an H x W face.
    int sr_height() const { return config_.face_height - 2 * config_.model.srnet.border(); }
    int sr_width() const { return config_.face_width - 2 * config_.model.srnet.border(); }

    // Rows = faces (each H x W, 0..255), columns = [feature(face) | feature(flip(face))].
    Eigen::MatrixXd embed(const std::vector<image>& faces, test_input input);
    // LR faces bicubic-upscaled to H x W -> SRNET output, 0..255, (H - 2 border) x (W - 2 border).
    std::vector<image> hallucinate(const std::vector<image>& upscaled);
    // The SRNET this model runs (its own, or the hallucinator), null for FRNET-only hr/lr models.
    srnet<B>* sr_stage();
    const srnet<B>* sr_stage() const { return const_cast<face_model*>(this)->sr_stage(); }

private:
    using variant = std::variant<joint_model<B>, srnet_model<B>, frnet_model<B>>;
    static variant build(const model_config& c);
    host_tensor network_input(const std::vector<image>& faces, test_input input);

    model_config config_;
    variant net_;
    std::unique_ptr<face_model> hallucinator_;
    tensor<B> input_;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

inline image prepare_face(const image& img, int height, int width) {
    const int h = image_height(img), w = image_width(img);
    if (h == height && w == width) return img;
    if (h == 250 && w == 250) return center_crop(img, lfw_deep_funneled_box, height, width);
    return resize_bicubic(img, height, width);
}

inline checkpoint load_model_checkpoint(const std::filesystem::path& dir, std::ostream& warnings) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        throw io_error(dir.string() + ": checkpoint directory not found");
    if (std::filesystem::exists(dir / "model.safetensors", ec)) return load_checkpoint(dir);
    return load_latest_checkpoint(dir, warnings);
}

inline model_config read_model_config(const checkpoint& c, const std::string& source) {
    const auto it = c.config.find(model_config_key);
    if (it == c.config.end())
        throw protocol_error(source + ": the checkpoint carries no model config (metadata 'config." +
                             model_config_key + "'); it was not written by jhr train");
    try {
        return model_config_from_json(*it);
    } catch (const protocol_error& e) {
        throw protocol_error(source + ": " + e.what());
    }
}

template <Backend B>
typename face_model<B>::variant face_model<B>::build(const model_config& c) {
    switch (c.setting) {
    case setting::joint:
        return variant(std::in_place_index<0>, make_joint_model<B>(c.model));
    case setting::srnet:
        return variant(std::in_place_index<1>, make_srnet_model<B>(c.model));
    default:
        return variant(std::in_place_index<2>, make_frnet_model<B>(c.model));
    }
}

template <Backend B>
face_model<B>::face_model(model_config config, const std::vector<named_array>& weights)
    : config_(std::move(config)), net_(build(config_)) {
    std::visit([&](auto& net) { restore_weights<B>(net, weights); }, net_);
    if (config_.setting != setting::hallucinated) return;
    hallucinator_ = std::make_unique<face_model>(load(config_.hallucinator));
    const model_config& h = hallucinator_->config();
    if (h.setting != setting::srnet || h.face_height != config_.face_height ||
        h.face_width != config_.face_width || h.scale != config_.scale ||
        h.model.srnet.border() != config_.model.srnet.border())
        throw protocol_error("hallucinator " + config_.hallucinator + ": expected a stand-alone SRNET for " +
                             std::to_string(config_.face_height) + "x" + std::to_string(config_.face_width) +
                             " faces at scale " + std::to_string(config_.scale) + ", found setting '" +
                             to_string(h.setting) + "', " + std::to_string(h.face_height) + "x" +
                             std::to_string(h.face_width) + ", scale " + std::to_string(h.scale));
}

template <Backend B>
face_model<B> face_model<B>::load(const std::filesystem::path& dir) {
    const checkpoint c = load_model_checkpoint(dir);
    return face_model(read_model_config(c, dir.string()), c.weights);
}

template <Backend B>
srnet<B>* face_model<B>::sr_stage() {
    if (auto* j = std::get_if<0>(&net_)) return &j->template stage<0>();
    if (auto* s = std::get_if<1>(&net_)) return &s->template stage<0>();
    return hallucinator_ ? hallucinator_->sr_stage() : nullptr;
}

template <Backend B>
host_tensor face_model<B>::network_input(const std::vector<image>& faces, test_input input) {
    const int border = config_.model.srnet.border();
    std::vector<image> in;
    for (const image& f : faces) {
        if (image_height(f) != config_.face_height || image_width(f) != config_.face_width)
            throw shape_error("face_model: face is " + std::to_string(image_height(f)) + "x" +
                              std::to_string(image_width(f)) + ", the model expects " +
                              std::to_string(config_.face_height) + "x" + std::to_string(config_.face_width) +
                              " (see prepare_face)");
        in.push_back(input == test_input::hr ? f : degrade(f, config_.scale, true));
    }
    const host_tensor x = data::to_nchw(in);
    if (config_.setting == setting::joint) return x;
    if (input == test_input::hallucinated) {
        srnet<B>* sr = sr_stage();
        if (!sr)
            throw error(
                "test input 'hallucinated' needs a model trained in setting 'hallucinated' (this one: '" +
                to_string(config_.setting) + "')");
        input_.assign(x);
        return sr->forward(input_).to_host();
    }
    return crop_border(x, border);
}

template <Backend B>
Eigen::MatrixXd face_model<B>::embed(const std::vector<image>& faces, test_input input) {
    if (!can_embed())
        throw error("a stand-alone SRNET (setting 'srnet') has no face features; use a model "
                    "trained in setting hr, lr, hallucinated or joint");
    if (config_.setting == setting::joint && input == test_input::hallucinated)
        throw error("the Joint Model hallucinates with its own SRNET: use test input 'lr' (or 'hr')");
    const int f = config_.model.frnet.features;
    Eigen::MatrixXd out(Eigen::Index(faces.size()), 2 * f);
    std::vector<image> flipped;
    for (const image& face : faces) flipped.push_back(flip_horizontal(face));
    for (int flip = 0; flip < 2; ++flip) {
        input_.assign(network_input(flip ? flipped : faces, input));
        const tensor<B>& y =
            std::visit([&](auto& net) -> const tensor<B>& { return net.forward(input_); }, net_);
        const host_tensor h = y.to_host();
        for (std::size_t i = 0; i < faces.size(); ++i)
            for (int k = 0; k < f; ++k) out(Eigen::Index(i), flip * f + k) = h(i, std::size_t(k), 0, 0);
    }
    eval::require_finite(out, "face features");
    return out;
}

template <Backend B>
std::vector<image> face_model<B>::hallucinate(const std::vector<image>& upscaled) {
    srnet<B>* sr = sr_stage();
    if (!sr)
        throw error("a model of setting '" + to_string(config_.setting) +
                    "' has no SRNET; use one trained in setting srnet, hallucinated or joint");
    for (const image& f : upscaled)
        if (image_height(f) != config_.face_height || image_width(f) != config_.face_width)
            throw shape_error("hallucinate: input is " + std::to_string(image_height(f)) + "x" +
                              std::to_string(image_width(f)) + ", SRNET expects " +
                              std::to_string(config_.face_height) + "x" + std::to_string(config_.face_width));
    input_.assign(data::to_nchw(upscaled));
    const host_tensor y = sr->forward(input_).to_host();
    std::vector<image> out;
    for (std::size_t i = 0; i < y.shape(0); ++i) {
        image img = image::from_shape({y.shape(2), y.shape(3), y.shape(1)});
        for (std::size_t c = 0; c < y.shape(1); ++c)
            for (std::size_t r = 0; r < y.shape(2); ++r)
                for (std::size_t v = 0; v < y.shape(3); ++v)
                    img(r, v, c) = std::clamp(y(i, c, r, v) * pixel_scale + pixel_mean, 0.0f, 255.0f);
        out.push_back(std::move(img));
    }
    return out;
}

} // namespace jhr
