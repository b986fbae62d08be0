// jhr/experiments/table4.hpp: the paper's six settings (Table 4) and SR quality (Table 5) on any
// training source and any verification set (verification_set.hpp), at any model size.
//
// Trains a stand-alone SRNET (pixel loss), FRNET on HR, on LR and on the stand-alone SRNET's
// hallucinations, and the Joint Model, each for options.training.iterations on the same batches;
// then extracts features of every test face (face and flip concatenated) and verifies
//   1 HR/HR, 2 HR/LR, 3 HR/hallucinated, 4 LR/LR, 5 hallucinated/hallucinated, 6 joint on LR,
// with the set's protocol (PCA and threshold never see the pairs they are scored on). Table 5:
// mean PSNR and SSIM (Y, shave = scale) against the centre-cropped HR test face of the bicubic
// upscaling, the stand-alone SRNET and the Joint Model's SRNET. LR test faces are the HR faces
// down-sampled by `scale` (MATLAB bicubic) and upscaled back, as in training.
#pragma once

#include "jhr/eval/features.hpp"
#include "jhr/eval/image_quality.hpp"
#include "jhr/eval/report.hpp"
#include "jhr/eval/verification.hpp"
#include "jhr/experiments/verification_set.hpp"
#include "jhr/models/joint_model.hpp"
#include "jhr/train/inputs.hpp"
#include "jhr/train/trainer.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace jhr::experiments {

struct table4_options {
    joint_model_options model; // model.classes: the number of training identities
    trainer_options training;  // iterations per network; learning rates per stage
    std::size_t batch = 16;
    int scale = 4;
    std::size_t sample_faces = 6; // test faces kept for the sample sheet (evenly spaced)
    // Non-empty: each network checkpoints into checkpoint_dir/<network> every checkpoint_every
    // iterations and logs metrics.jsonl there; a rerun resumes (or skips) finished work.
    std::filesystem::path checkpoint_dir;
    std::int64_t checkpoint_every = 50;
    std::uint64_t seed = 1;
};

struct trained_network {
    std::string name;
    training_report report;
};

// One test face as each method sees or produces it, (H - 2 border) x (W - 2 border) except `lr`.
struct face_samples {
    image lr;      // the down-sampled face, ceil(H / scale) x ceil(W / scale)
    image bicubic; // lr upscaled by bicubic interpolation, cropped
    image srnet;   // stand-alone SRNET output
    image joint;   // the Joint Model's SRNET output
    image hr;      // the original face, cropped
};

struct table4_result {
    std::vector<eval::setting_result> settings; // the six rows in the paper's order
    std::string test_set;
    std::size_t test_faces = 0, test_pairs = 0, tuning_pairs = 0;
    double psnr_bicubic = 0, psnr_srnet = 0, psnr_joint = 0; // dB, Y channel
    double ssim_bicubic = 0, ssim_srnet = 0, ssim_joint = 0; // Y channel
    double train_seconds = 0, evaluation_seconds = 0;
    std::vector<trained_network> networks; // in training order
    std::vector<face_samples> samples;
    nlohmann::json to_json() const;
};

// Throws jhr::error when the set has no pairs (or, holdout, no tuning pairs) and protocol_error when
// tuning and test pairs share a face.
template <Backend B, data::sample_source TrainSource, data::sample_source TestSource>
table4_result run_table4(TrainSource train_source, const verification_set<TestSource>& test, table4_options o,
                         std::ostream& log);

inline std::string table5_markdown(const table4_result& r);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

inline nlohmann::json table4_result::to_json() const {
    nlohmann::json s = nlohmann::json::array();
    for (const auto& r : settings) s.push_back(eval::to_json(r));
    nlohmann::json nets = nlohmann::json::array();
    for (const auto& n : networks)
        nets.push_back(
            {{"name", n.name},
             {"iterations", n.report.iterations},
             {"seconds", n.report.seconds},
             {"images_per_second", n.report.images_per_second},
             {"heads", n.report.names},
             {"final_losses", n.report.losses.empty() ? std::vector<double>{} : n.report.losses.back()}});
    return {{"settings", s},
            {"test_set", test_set},
            {"test_faces", test_faces},
            {"test_pairs", test_pairs},
            {"tuning_pairs", tuning_pairs},
            {"psnr_y_db",
             {{"bicubic", psnr_bicubic}, {"stand_alone_srnet", psnr_srnet}, {"joint_srnet", psnr_joint}}},
            {"ssim_y",
             {{"bicubic", ssim_bicubic}, {"stand_alone_srnet", ssim_srnet}, {"joint_srnet", ssim_joint}}},
            {"train_seconds", train_seconds},
            {"evaluation_seconds", evaluation_seconds},
            {"networks", nets}};
}

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
inline image to_image(const host_tensor& x, std::size_t i) {
    image out = image::from_shape({x.shape(2), x.shape(3), x.shape(1)});
    for (std::size_t c = 0; c < x.shape(1); ++c)
        for (std::size_t y = 0; y < x.shape(2); ++y)
            for (std::size_t v = 0; v < x.shape(3); ++v)
                out(y, v, c) = std::clamp(x(i, c, y, v) * pixel_scale + pixel_mean, 0.0f, 255.0f);
    return out;
}

inline Eigen::MatrixXd stack_rows(const std::vector<Eigen::MatrixXd>& parts) {
    Eigen::Index rows = 0;
    for (const auto& p : parts) rows += p.rows();
    Eigen::MatrixXd out(rows, parts.front().cols());
    Eigen::Index at = 0;
    for (const auto& p : parts) out.middleRows(at, p.rows()) = p, at += p.rows();
    return out;
}

// The report's per-iteration losses from a metrics.jsonl that resumed runs appended to: the last
// record of each iteration up to the report's final one, in head order; `iterations` becomes the
// history's length. seconds and images_per_second stay those of the last (resumed) run.
inline training_report loss_history(const std::filesystem::path& metrics, training_report report) {
    std::ifstream in(metrics);
    if (!in) throw io_error(metrics.string() + ": cannot open training metrics");
    const std::int64_t last = report.first_iteration + report.iterations;
    std::map<std::int64_t, std::vector<double>> by_iteration;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.empty()) continue;
        const auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.contains("iteration") || !j.contains("losses"))
            throw protocol_error(metrics.string() + ":" + std::to_string(number) + ": not a training record");
        const auto iteration = j["iteration"].get<std::int64_t>();
        if (iteration > last) continue;
        std::vector<double> losses;
        for (const auto& name : report.names) losses.push_back(j["losses"].value(name, std::nan("")));
        by_iteration[iteration] = std::move(losses);
    }
    report.losses.clear();
    report.first_iteration = by_iteration.empty() ? last : by_iteration.begin()->first - 1;
    for (auto& [iteration, losses] : by_iteration) report.losses.push_back(std::move(losses));
    report.iterations = std::int64_t(report.losses.size());
    return report;
}

// Accuracy per test part at the tuned threshold; ROC over every test pair.
inline eval::verification_result holdout_as_folds(const eval::holdout_result& h) {
    eval::verification_result v;
    std::map<int, std::pair<std::size_t, std::size_t>> parts; // fold -> (correct, total)
    for (const eval::scored_pair& p : h.test_scores) {
        auto& [correct, total] = parts[p.fold];
        correct += ((p.score >= h.threshold) == p.same) ? 1 : 0;
        ++total;
    }
    for (const auto& [fold, counts] : parts)
        v.folds.push_back({fold, h.threshold, h.train_accuracy, double(counts.first) / double(counts.second),
                           counts.second});
    v.accuracy_mean = h.test_accuracy;
    double squares = 0;
    for (const auto& f : v.folds)
        squares += (f.test_accuracy - h.test_accuracy) * (f.test_accuracy - h.test_accuracy);
    v.accuracy_std = v.folds.size() > 1 ? std::sqrt(squares / double(v.folds.size() - 1)) : 0.0;
    v.accuracy_standard_error = v.folds.empty() ? 0.0 : v.accuracy_std / std::sqrt(double(v.folds.size()));
    v.scores = h.test_scores;
    return v;
}

template <data::sample_source Source>
eval::verification_result verify(const Eigen::MatrixXd& features, const verification_set<Source>& set) {
    if (set.protocol == pair_protocol::k_fold) return eval::k_fold_protocol(features, set.pairs);
    return holdout_as_folds(eval::holdout_protocol(features, set.tuning_pairs, set.pairs));
}

} // namespace detail

// The test faces once: HR and LR batches (normalised NCHW, unflipped, in face order).
template <data::sample_source Source>
std::vector<data::face_batch> load_test_batches(const Source& source, const table4_options& o) {
    data::loader_options lo;
    lo.batch_size = o.batch;
    lo.scale = o.scale;
    lo.shuffle = false;
    lo.flip = false;
    data::batch_loader loader(source, lo);
    loader.start_epoch(0);
    std::vector<data::face_batch> batches;
    while (auto b = loader.next()) batches.push_back(std::move(*b));
    return batches;
}

// FRNET features (face and flip, concatenated) for every test face; `features(input)` runs the net.
template <Backend B, class Features>
Eigen::MatrixXd extract_features(const std::vector<data::face_batch>& batches, input_preparer<B>& prepare,
                                 Features&& features) {
    std::vector<Eigen::MatrixXd> original, flipped;
    tensor<B> input, unused;
    for (const auto& batch : batches) {
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
    return eval::fuse_flip_features(detail::stack_rows(original), detail::stack_rows(flipped),
                                    eval::flip_fusion::concatenate);
}

template <Backend B, data::sample_source TrainSource, data::sample_source TestSource>
table4_result run_table4(TrainSource train_source, const verification_set<TestSource>& test, table4_options o,
                         std::ostream& log) {
    if (test.pairs.empty() || (test.protocol == pair_protocol::holdout && test.tuning_pairs.empty()))
        throw error("run_table4: verification set '" + test.name + "' has " +
                    std::to_string(test.pairs.size()) + " test and " +
                    std::to_string(test.tuning_pairs.size()) + " tuning pairs");
    table4_result result;
    result.test_set = test.name;
    result.test_faces = test.faces.size();
    result.test_pairs = test.pairs.size();
    result.tuning_pairs = test.tuning_pairs.size();
    const int border = o.model.srnet.border();
    data::loader_options lo;
    lo.batch_size = o.batch;
    lo.scale = o.scale;
    lo.seed = o.seed;
    lo.cache = true;
    lo.hr_border = border;
    data::batch_loader loader(std::move(train_source), lo);
    const auto begin = std::chrono::steady_clock::now();

    auto train = [&](auto& net, setting s, srnet<B>* hallucinator, const char* what, const char* folder) {
        log << "training " << what << " (" << o.training.iterations << " iterations, batch " << o.batch
            << ")\n";
        trainer_options to = o.training;
        if (!o.checkpoint_dir.empty()) {
            to.checkpoint_dir = o.checkpoint_dir / folder;
            to.metrics_path = to.checkpoint_dir / "metrics.jsonl";
            to.resume = true;
            to.checkpoint_every = o.checkpoint_every;
            std::filesystem::create_directories(to.checkpoint_dir);
        }
        trainer<B, std::remove_reference_t<decltype(net)>> t(net, to);
        t.start();
        input_preparer<B> prepare(s, border, hallucinator);
        training_report report = t.run(loader, o.batch, prepare);
        if (!to.metrics_path.empty()) report = detail::loss_history(to.metrics_path, std::move(report));
        result.networks.push_back({what, std::move(report)});
    };
    auto sr = make_srnet_model<B>(o.model);
    train(sr, setting::srnet, nullptr, "stand-alone SRNET", "srnet");
    auto fr_hr = make_frnet_model<B>(o.model);
    train(fr_hr, setting::hr, nullptr, "FRNET-HR", "frnet_hr");
    auto fr_lr = make_frnet_model<B>(o.model);
    train(fr_lr, setting::lr, nullptr, "FRNET-LR", "frnet_lr");
    auto fr_sr = make_frnet_model<B>(o.model);
    train(fr_sr, setting::hallucinated, &sr.template stage<0>(), "FRNET on hallucinated faces",
          "frnet_hallucinated");
    auto joint = make_joint_model<B>(o.model);
    train(joint, setting::joint, nullptr, "Joint Model", "joint");
    const auto trained = std::chrono::steady_clock::now();
    result.train_seconds = std::chrono::duration<double>(trained - begin).count();

    log << "evaluating on " << test.name << ": " << test.faces.size() << " faces\n";
    const std::vector<data::face_batch> batches = load_test_batches(test.faces, o);
    auto verify = [&](const char* id, const char* train_data, const char* test_data, auto& net, setting s) {
        input_preparer<B> prepare(s, border, &sr.template stage<0>());
        const Eigen::MatrixXd f = extract_features(
            batches, prepare, [&](const tensor<B>& x) -> const tensor<B>& { return net.forward(x); });
        result.settings.push_back(
            eval::summarize_setting(id, train_data, test_data, detail::verify(f, test)));
        log << "setting " << id << ": accuracy " << result.settings.back().accuracy_mean << "\n";
    };
    verify("1", "HR", "HR", fr_hr, setting::hr);
    verify("2", "HR", "LR", fr_hr, setting::lr);
    verify("3", "HR", "Hallucinated", fr_hr, setting::hallucinated);
    verify("4", "LR", "LR", fr_lr, setting::lr);
    verify("5", "Hallucinated", "Hallucinated", fr_sr, setting::hallucinated);
    verify("6 (joint)", "LR", "LR", joint, setting::joint);

    const std::size_t every =
        std::max<std::size_t>(1, test.faces.size() / std::max<std::size_t>(1, o.sample_faces));
    std::vector<image> hr, bicubic, sr_out, joint_out;
    tensor<B> lr;
    for (const auto& b : batches) {
        const host_tensor hr_crop = crop_border(b.hr, border), lr_crop = crop_border(b.lr, border);
        lr.assign(b.lr);
        const host_tensor s = sr.forward(lr).to_host();
        joint.forward(lr);
        const host_tensor j = joint.output(0).to_host();
        for (std::size_t i = 0; i < hr_crop.shape(0); ++i) {
            const std::size_t face = hr.size();
            hr.push_back(detail::to_image(hr_crop, i));
            bicubic.push_back(detail::to_image(lr_crop, i));
            sr_out.push_back(detail::to_image(s, i));
            joint_out.push_back(detail::to_image(j, i));
            if (face % every == 0 && result.samples.size() < o.sample_faces)
                result.samples.push_back({degrade(detail::to_image(b.hr, i), o.scale, false), bicubic.back(),
                                          sr_out.back(), joint_out.back(), hr.back()});
        }
    }
    const auto shave = std::size_t(o.scale);
    result.psnr_bicubic = eval::mean_psnr(hr, bicubic, shave);
    result.psnr_srnet = eval::mean_psnr(hr, sr_out, shave);
    result.psnr_joint = eval::mean_psnr(hr, joint_out, shave);
    result.ssim_bicubic = eval::mean_ssim(hr, bicubic, shave);
    result.ssim_srnet = eval::mean_ssim(hr, sr_out, shave);
    result.ssim_joint = eval::mean_ssim(hr, joint_out, shave);
    result.evaluation_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - trained).count();
    return result;
}

inline std::string table5_markdown(const table4_result& r) {
    char buffer[512];
    std::snprintf(buffer, sizeof buffer,
                  "| Method | PSNR (Y, dB) | SSIM (Y) |\n|---|---:|---:|\n| Bicubic | %.2f | %.4f |\n"
                  "| Stand-alone SRNET | %.2f | %.4f |\n| Joint Model SRNET | %.2f | %.4f |\n",
                  r.psnr_bicubic, r.ssim_bicubic, r.psnr_srnet, r.ssim_srnet, r.psnr_joint, r.ssim_joint);
    return buffer;
}

} // namespace jhr::experiments
