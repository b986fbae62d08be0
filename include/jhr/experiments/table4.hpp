// jhr/experiments/table4.hpp: the paper's six settings (Table 4) and PSNR comparison (Table 5) on
// any face source, at any model size.
//
// Trains a stand-alone SRNET (pixel loss), FRNET on HR, on LR and on the stand-alone SRNET's
// hallucinations, and the Joint Model; then verifies held-out faces (features of a face and its
// flip concatenated, PCA and threshold on the training folds, 10 person-disjoint folds):
//   1 HR/HR, 2 HR/LR, 3 HR/hallucinated, 4 LR/LR, 5 hallucinated/hallucinated, 6 joint on LR,
// and reports PSNR (Y, shave = scale) of bicubic, stand-alone SRNET and the joint SRNET against HR.
#pragma once

#include "jhr/eval/features.hpp"
#include "jhr/eval/image_quality.hpp"
#include "jhr/eval/report.hpp"
#include "jhr/eval/verification.hpp"
#include "jhr/models/joint_model.hpp"
#include "jhr/train/inputs.hpp"
#include "jhr/train/trainer.hpp"

#include <iostream>

namespace jhr::experiments {

struct table4_options {
    joint_model_options model;        // model.classes: the number of training identities
    trainer_options training;         // iterations per network; learning rates per stage
    std::size_t batch = 16;
    int scale = 4;
    std::size_t test_identities = 20; // held-out identities (person-disjoint from training)
    std::size_t test_images = 6;      // images per held-out identity
    std::uint64_t seed = 1;
};

struct table4_result {
    std::vector<eval::setting_result> settings;
    double psnr_bicubic = 0, psnr_srnet = 0, psnr_joint = 0;
    double train_seconds = 0;
    nlohmann::json to_json() const {
        nlohmann::json s = nlohmann::json::array();
        for (const auto& r : settings) s.push_back(eval::to_json(r));
        return {{"settings", s},
                {"psnr_y_db", {{"bicubic", psnr_bicubic}, {"stand_alone_srnet", psnr_srnet}, {"joint_srnet", psnr_joint}}},
                {"train_seconds", train_seconds}};
    }
};

namespace detail {

inline host_tensor flip_batch(const host_tensor& x) {
    host_tensor out = host_tensor::from_shape(x.shape());
    const std::size_t w = x.shape(3);
    for (std::size_t n = 0; n < x.shape(0); ++n)
        for (std::size_t c = 0; c < x.shape(1); ++c)
            for (std::size_t y = 0; y < x.shape(2); ++y)
                for (std::size_t v = 0; v < w; ++v) out(n, c, y, v) = x(n, c, y, w - 1 - v);
    return out;
}

// NCHW normalised sample i -> H x W x 3 in 0..255.
inline eval::rgb_image to_image(const host_tensor& x, std::size_t i) {
    eval::rgb_image out = eval::rgb_image::from_shape({x.shape(2), x.shape(3), x.shape(1)});
    for (std::size_t c = 0; c < x.shape(1); ++c)
        for (std::size_t y = 0; y < x.shape(2); ++y)
            for (std::size_t v = 0; v < x.shape(3); ++v)
                out(y, v, c) = std::clamp(x(i, c, y, v) * pixel_scale + pixel_mean, 0.0f, 255.0f);
    return out;
}

// Same pairs: every pair of images of an identity; different pairs: as many, drawn between
// identities of the same fold. Fold = identity % 10, so folds are person-disjoint.
inline std::vector<eval::face_pair> make_pairs(std::size_t identities, std::size_t per_identity, std::uint64_t seed) {
    std::vector<eval::face_pair> pairs;
    rng r(seed);
    for (std::size_t id = 0; id < identities; ++id)
        for (std::size_t a = 0; a < per_identity; ++a)
            for (std::size_t b = a + 1; b < per_identity; ++b)
                pairs.push_back({Eigen::Index(id * per_identity + a), Eigen::Index(id * per_identity + b), true, int(id % 10)});
    const std::size_t same = pairs.size();
    for (std::size_t k = 0; k < same; ++k) {
        const std::size_t id = k % identities;
        std::size_t other = id;
        while (other == id || other % 10 != id % 10) {
            other = uniform_index(r, identities);
            if (identities < 20) break;
        }
        if (other == id) continue;
        pairs.push_back({Eigen::Index(id * per_identity + uniform_index(r, per_identity)),
                         Eigen::Index(other * per_identity + uniform_index(r, per_identity)), false, int(id % 10)});
    }
    return pairs;
}

} // namespace detail

// The test faces once: HR and LR batches (normalised NCHW, unflipped, in identity order).
struct test_faces {
    std::vector<data::face_batch> batches;
};

template <data::sample_source Source>
test_faces load_test_faces(Source source, const table4_options& o) {
    data::loader_options lo;
    lo.batch_size = o.batch;
    lo.scale = o.scale;
    lo.shuffle = false;
    lo.flip = false;
    lo.workers = 1;
    data::batch_loader loader(std::move(source), lo);
    loader.start_epoch(0);
    test_faces t;
    while (auto b = loader.next()) t.batches.push_back(std::move(*b));
    return t;
}

// FRNET features (face and flip, concatenated) for every test face, given how to make its input.
template <Backend B, class Features>
Eigen::MatrixXd extract_features(const test_faces& faces, input_preparer<B>& prepare, Features&& features) {
    std::vector<Eigen::MatrixXd> original, flipped;
    tensor<B> input, unused;
    for (const auto& batch : faces.batches) {
        for (int flip = 0; flip < 2; ++flip) {
            data::face_batch b = batch;
            if (flip) b.hr = detail::flip_batch(b.hr), b.lr = detail::flip_batch(b.lr);
            prepare(b, input, unused);
            const host_tensor f = features(input).to_host();
            Eigen::MatrixXd m(f.shape(0), f.shape(1));
            for (std::size_t i = 0; i < f.shape(0); ++i)
                for (std::size_t k = 0; k < f.shape(1); ++k) m(i, k) = f(i, k, 0, 0);
            (flip ? flipped : original).push_back(m);
        }
    }
    auto stack = [](const std::vector<Eigen::MatrixXd>& parts) {
        Eigen::Index rows = 0;
        for (const auto& p : parts) rows += p.rows();
        Eigen::MatrixXd out(rows, parts.front().cols());
        Eigen::Index at = 0;
        for (const auto& p : parts) out.middleRows(at, p.rows()) = p, at += p.rows();
        return out;
    };
    return eval::fuse_flip_features(stack(original), stack(flipped), eval::flip_fusion::concatenate);
}

template <Backend B, data::sample_source TrainSource, data::sample_source TestSource>
table4_result run_table4(TrainSource train_source, TestSource test_source, table4_options o, std::ostream& log) {
    table4_result result;
    const int border = o.model.srnet.border();
    data::loader_options lo;
    lo.batch_size = o.batch;
    lo.scale = o.scale;
    lo.seed = o.seed;
    lo.cache = true;
    data::batch_loader loader(std::move(train_source), lo);
    const auto begin = std::chrono::steady_clock::now();

    auto train = [&](auto& net, setting s, srnet<B>* hallucinator, const char* what) {
        log << "training " << what << " (" << o.training.iterations << " iterations)\n";
        trainer<B, std::remove_reference_t<decltype(net)>> t(net, o.training);
        t.start();
        input_preparer<B> prepare(s, border, hallucinator);
        t.run(loader, o.batch, prepare);
    };
    auto sr = make_srnet_model<B>(o.model);
    train(sr, setting::srnet, nullptr, "stand-alone SRNET");
    auto fr_hr = make_frnet_model<B>(o.model);
    train(fr_hr, setting::hr, nullptr, "FRNET on HR");
    auto fr_lr = make_frnet_model<B>(o.model);
    train(fr_lr, setting::lr, nullptr, "FRNET on LR");
    auto fr_sr = make_frnet_model<B>(o.model);
    train(fr_sr, setting::hallucinated, &sr.template stage<0>(), "FRNET on hallucinated faces");
    auto joint = make_joint_model<B>(o.model);
    train(joint, setting::joint, nullptr, "Joint Model");
    result.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();

    const test_faces faces = load_test_faces(std::move(test_source), o);
    const auto pairs = detail::make_pairs(o.test_identities, o.test_images, o.seed + 1);
    auto verify = [&](const char* id, const char* train_data, const char* test_data, auto& net, setting s) {
        input_preparer<B> prepare(s, border, &sr.template stage<0>());
        const Eigen::MatrixXd f = extract_features(faces, prepare, [&](const tensor<B>& x) -> const tensor<B>& {
            return net.forward(x);
        });
        result.settings.push_back(eval::summarize_setting(id, train_data, test_data, eval::k_fold_protocol(f, pairs)));
        log << "setting " << id << ": accuracy " << result.settings.back().accuracy_mean << "\n";
    };
    verify("1", "HR", "HR", fr_hr, setting::hr);
    verify("2", "HR", "LR", fr_hr, setting::lr);
    verify("3", "HR", "Hallucinated", fr_hr, setting::hallucinated);
    verify("4", "LR", "LR", fr_lr, setting::lr);
    verify("5", "Hallucinated", "Hallucinated", fr_sr, setting::hallucinated);
    verify("6 (joint)", "LR", "LR", joint, setting::joint);

    std::vector<eval::rgb_image> hr, bicubic, sr_out, joint_out;
    tensor<B> lr;
    for (const auto& b : faces.batches) {
        const host_tensor hr_crop = crop_border(b.hr, border), lr_crop = crop_border(b.lr, border);
        lr.assign(b.lr);
        const host_tensor s = sr.forward(lr).to_host();
        joint.forward(lr);
        const host_tensor j = joint.output(0).to_host();
        for (std::size_t i = 0; i < hr_crop.shape(0); ++i) {
            hr.push_back(detail::to_image(hr_crop, i));
            bicubic.push_back(detail::to_image(lr_crop, i));
            sr_out.push_back(detail::to_image(s, i));
            joint_out.push_back(detail::to_image(j, i));
        }
    }
    result.psnr_bicubic = eval::mean_psnr(hr, bicubic, o.scale);
    result.psnr_srnet = eval::mean_psnr(hr, sr_out, o.scale);
    result.psnr_joint = eval::mean_psnr(hr, joint_out, o.scale);
    return result;
}

inline std::string table5_markdown(const table4_result& r) {
    char buffer[256];
    std::snprintf(buffer, sizeof buffer,
                  "| Method | PSNR (Y, dB) |\n|---|---|\n| Bicubic | %.2f |\n| Stand-alone SRNET | %.2f |\n"
                  "| Joint Model SRNET | %.2f |\n",
                  r.psnr_bicubic, r.psnr_srnet, r.psnr_joint);
    return buffer;
}

} // namespace jhr::experiments
