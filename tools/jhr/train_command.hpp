// jhr/tools/train_command.hpp: `jhr train`: trains one of the paper's settings (Algorithm 1) on
// synthetic faces, an identity-folder tree or an LFW people file, writing crash-safe checkpoints
// that carry the model config (jhr/train/model_config.hpp), so eval/embed/verify/hallucinate can
// rebuild the network. Progress goes to stderr, a summary to stdout (JSON with --json).
// Exit codes (tools/jhr/main.cpp): 1 io/protocol/backend error, 2 usage, 3 shape, 4 diverged.
#pragma once

#include "layout_option.hpp"
#include "model_options.hpp"
#include "precision_option.hpp"

#include "jhr/data/lfw.hpp"
#include "jhr/train/inputs.hpp"
#include "jhr/train/trainer.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace jhr::cli {

// Data loading threads by default: one per hardware thread, at most 8 (about 25,000 faces/s, more
// than the paper's schedule needs on one GPU; each worker keeps a batch in flight).
inline int default_workers() {
    return int(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
}

struct train_options {
    std::string data, image_root, setting = "joint", srnet_checkpoint, backend, precision, layout, checkpoint,
                                  metrics;
    std::size_t identities = 10, images = 8, batch = 32;
    std::int64_t iterations = 28000, checkpoint_every = 1000, log_every = 10;
    std::vector<int> frnet_widths{64, 128, 256, 512}, frnet_blocks{1, 2, 5, 3};
    int features = 512, face_height = default_face_height, face_width = default_face_width, scale = 4,
        workers = default_workers();
    float lr_srnet = 1e-5f, lr_frnet = 0.1f, momentum = 0.9f, weight_decay = 5e-4f;
    loss_options loss;
    std::uint64_t seed = 1;
    bool resume = false, json = false, quiet = false, cache = false, deterministic = false, graph = false;
};

namespace detail {

inline std::array<int, 4> four(const std::vector<int>& v, const std::string& flag, int min) {
    if (v.size() != 4 || std::any_of(v.begin(), v.end(), [&](int x) { return x < min; }))
        throw CLI::ValidationError(flag, "expects 4 comma-separated integers >= " + std::to_string(min));
    return {v[0], v[1], v[2], v[3]};
}

// Labelled files of an LFW people file: person k of the file (over all sets) is label k.
inline data::file_dataset lfw_people_dataset(const std::filesystem::path& people,
                                             const std::filesystem::path& root) {
    data::file_dataset out;
    std::size_t missing = 0;
    std::string first_missing;
    for (const auto& set : data::read_lfw_people(people).sets)
        for (const auto& person : set) {
            const auto label = std::int32_t(out.identities.size());
            out.identities.push_back(person.name);
            for (int k = 1; k <= person.image_count; ++k) {
                auto path = data::lfw_image_path(root, person.name, k);
                if (!std::filesystem::is_regular_file(path) && missing++ == 0) first_missing = path.string();
                out.samples.push_back({std::move(path), label});
            }
        }
    if (missing > 0)
        throw io_error(people.string() + ": " + std::to_string(missing) +
                       " listed images are missing under " + root.string() + ", the first is " +
                       first_missing);
    return out;
}

// Calls f(source, classes, description) with the sample source --data names.
template <class F>
void with_training_source(const train_options& o, F&& f) {
    const int h = o.face_height, w = o.face_width;
    if (o.data == "synthetic") {
        data::synthetic_source source(data::synthetic_faces(o.seed, {h, w, 1.0, 3.0}), o.identities,
                                      o.images);
        f(std::move(source), int(o.identities),
          nlohmann::json{
              {"kind", "synthetic"}, {"identities", o.identities}, {"images", o.images}, {"seed", o.seed}});
        return;
    }
    const std::filesystem::path path(o.data);
    std::error_code ec;
    data::file_dataset dataset;
    nlohmann::json description;
    if (std::filesystem::is_directory(path, ec)) {
        dataset = data::scan_identity_folders(path);
        description = {{"kind", "identity_folders"}, {"root", std::filesystem::absolute(path).string()}};
    } else if (std::filesystem::is_regular_file(path, ec)) {
        if (o.image_root.empty())
            throw CLI::ValidationError("--image-root",
                                       "is required with an LFW people file (" + o.data + ")");
        dataset = lfw_people_dataset(path, o.image_root);
        description = {{"kind", "lfw_people"},
                       {"people", std::filesystem::absolute(path).string()},
                       {"image_root", std::filesystem::absolute(o.image_root).string()}};
    } else {
        throw io_error(o.data + ": --data is neither 'synthetic' nor an existing folder or LFW people file");
    }
    description["images"] = dataset.samples.size();
    description["identities"] = dataset.identities.size();
    const int classes = int(dataset.identities.size());
    data::file_source source(
        std::move(dataset.samples),
        [h, w](const image& img, const data::labelled_path&) { return prepare_face(img, h, w); });
    f(std::move(source), classes, std::move(description));
}

template <Backend B, class Net, class Source>
nlohmann::json train_network(const train_options& o, Net& net, const model_config& config, Source source,
                             srnet<B>* hallucinator) {
    data::loader_options lo;
    lo.batch_size = o.batch;
    lo.scale = o.scale;
    lo.seed = o.seed;
    lo.workers = o.workers;
    lo.cache = o.cache || o.data == "synthetic";
    lo.hr_border = config.model.srnet.border(); // the pixel loss's target, cut by the workers
    data::batch_loader loader(std::move(source), lo);

    trainer_options to;
    to.iterations = o.iterations;
    to.learning_rates = {{"srnet", o.lr_srnet}, {"frnet", o.lr_frnet}};
    to.sgd = {o.momentum, o.weight_decay};
    to.seed = o.seed;
    to.checkpoint_dir = o.checkpoint;
    to.checkpoint_every = o.checkpoint_every;
    to.resume = o.resume;
    to.metrics_path = o.metrics;
    to.log_every = o.log_every;
    to.progress = o.quiet ? nullptr : &std::cerr;
    to.graph = o.graph;
    to.config = {{model_config_key, to_json(config)},
                 {"training",
                  {{"iterations", o.iterations},
                   {"batch", o.batch},
                   {"lr_srnet", o.lr_srnet},
                   {"lr_frnet", o.lr_frnet},
                   {"momentum", o.momentum},
                   {"weight_decay", o.weight_decay},
                   {"seed", o.seed},
                   {"backend", std::string(B::name)},
                   {"precision", o.precision},
                   {"layout", o.layout},
                   {"deterministic", o.deterministic},
                   {"graph", o.graph}}}};
    trainer<B, Net> t(net, to);
    const std::int64_t first = t.start();
    input_preparer<B> prepare(config.setting, config.model.srnet.border(), hallucinator);
    const training_report report = t.run(loader, o.batch, prepare);

    nlohmann::json losses = nlohmann::json::object();
    if (!report.losses.empty())
        for (std::size_t k = 0; k < report.names.size(); ++k)
            losses[report.names[k]] = report.losses.back()[k];
    return {{"setting", to_string(config.setting)},
            {"backend", std::string(B::name)},
            {"precision", o.precision},
            {"layout", o.layout},
            {"deterministic", o.deterministic},
            {"graph", o.graph},
            {"first_iteration", first},
            {"iterations_run", report.iterations},
            {"final_iteration", t.iteration()},
            {"seconds", report.seconds},
            {"images_per_second", report.images_per_second},
            {"data_wait_seconds", report.data_wait_seconds},
            {"input_copy_seconds", report.input_copy_seconds},
            {"replayed_iterations", report.replayed_iterations},
            {"final_losses", losses},
            {"checkpoint", o.checkpoint.empty() ? nlohmann::json() : nlohmann::json(o.checkpoint)}};
}

// A resumed run must train the network its checkpoint holds.
inline void check_resume_config(const train_options& o, const model_config& config) {
    if (!o.resume || o.checkpoint.empty() || !has_checkpoint(o.checkpoint)) return;
    nlohmann::json saved = to_json(read_model_config(load_model_checkpoint(o.checkpoint), o.checkpoint));
    nlohmann::json wanted = to_json(config);
    for (auto* j : {&saved, &wanted}) j->erase("data"), j->erase("hallucinator");
    if (const std::string key = first_difference(saved, wanted); !key.empty())
        throw error("--resume: " + o.checkpoint + " holds a different model (config key '" + key +
                    "'); give the flags it was trained with, or another --checkpoint directory");
}

template <Backend B>
int run_train(const train_options& o) {
    if constexpr (requires { B::set_deterministic(true); }) B::set_deterministic(o.deterministic);
    joint_model_options model;
    model.frnet.widths = four(o.frnet_widths, "--frnet-widths", 1);
    model.frnet.blocks = four(o.frnet_blocks, "--frnet-blocks", 0);
    model.frnet.features = o.features;
    model.loss = o.loss;
    const setting s = parse_setting(o.setting);
    if (s == setting::hallucinated && o.srnet_checkpoint.empty())
        throw CLI::ValidationError("--srnet-checkpoint", "is required for --setting hallucinated");
    nlohmann::json summary;
    with_training_source(o, [&](auto source, int classes, nlohmann::json description) {
        model.classes = classes;
        model_config config = make_model_config(s, o.face_height, o.face_width, o.scale, model);
        config.data = std::move(description);
        std::unique_ptr<face_model<B>> hallucinator;
        if (s == setting::hallucinated) {
            config.hallucinator = std::filesystem::absolute(o.srnet_checkpoint).string();
            hallucinator = std::make_unique<face_model<B>>(face_model<B>::load(config.hallucinator));
            if (hallucinator->config().setting != setting::srnet)
                throw error("--srnet-checkpoint " + o.srnet_checkpoint + " holds a model of setting '" +
                            to_string(hallucinator->config().setting) + "', expected 'srnet'");
            validate(config);
        }
        check_resume_config(o, config);
        srnet<B>* sr = hallucinator ? hallucinator->sr_stage() : nullptr;
        if (s == setting::joint) {
            auto net = make_joint_model<B>(config.model);
            summary = train_network<B>(o, net, config, std::move(source), sr);
        } else if (s == setting::srnet) {
            auto net = make_srnet_model<B>(config.model);
            summary = train_network<B>(o, net, config, std::move(source), sr);
        } else {
            auto net = make_frnet_model<B>(config.model);
            summary = train_network<B>(o, net, config, std::move(source), sr);
        }
    });
    if (o.json) {
        std::cout << summary.dump(2) << "\n";
        return 0;
    }
    std::cout << "trained setting " << summary["setting"].get<std::string>() << " on "
              << summary["backend"].get<std::string>() << ": iterations " << summary["first_iteration"]
              << " -> " << summary["final_iteration"] << " in " << fixed(summary["seconds"].get<double>(), 1)
              << " s (" << fixed(summary["images_per_second"].get<double>(), 1) << " images/s, data wait "
              << fixed(100 * summary["data_wait_seconds"].get<double>() /
                           std::max(summary["seconds"].get<double>(), 1e-9),
                       0)
              << "%)\n";
    if (!summary["final_losses"].empty()) {
        std::cout << "final losses:";
        for (const auto& [name, value] : summary["final_losses"].items())
            std::cout << " " << name << " " << fixed(value.template get<double>());
        std::cout << "\n";
    }
    if (!o.checkpoint.empty()) std::cout << "checkpoint: " << o.checkpoint << "\n";
    return 0;
}

} // namespace detail

inline void add_train_command(CLI::App& app) {
    auto o = std::make_shared<train_options>();
    CLI::App* cmd = app.add_subcommand(
        "train", "Train SRNET, FRNET or the Joint Model (Algorithm 1) and write checkpoints");
    cmd->footer(
        "Data: 'synthetic' renders --identities x --images procedural faces; a folder is read as "
        "root/<identity>/*.jpg|png (identities sorted, labelled 0..K-1); a file is an LFW people file "
        "(peopleDevTrain.txt or people.txt) whose images live under --image-root as NAME/NAME_0001.jpg. " +
        face_rule_help() +
        "\nDefaults are the paper's: Table 1 SRNET, Table 2 FRNET, 124x108 faces, 4x down-sampling, "
        "28000 iterations with the learning rate divided by 10 at 16000 and 24000 (scaled to "
        "--iterations).");
    cmd->add_option("--data", o->data, "'synthetic', an identity-folder root, or an LFW people file")
        ->required();
    cmd->add_option("--identities", o->identities, "synthetic identities (= classes)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--images", o->images, "synthetic images per identity")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--image-root", o->image_root,
                    "folder holding NAME/NAME_%04d.jpg for an LFW people file");
    cmd->add_option(
           "--setting", o->setting,
           "srnet: SRNET alone on LR->HR; hr / lr: FRNET on HR / LR faces; hallucinated: FRNET on the "
           "output of a trained SRNET (--srnet-checkpoint); joint: the Joint Model on LR faces")
        ->check(CLI::IsMember({"srnet", "hr", "lr", "hallucinated", "joint"}))
        ->capture_default_str();
    cmd->add_option("--srnet-checkpoint", o->srnet_checkpoint,
                    "checkpoint of a setting-srnet run (for --setting hallucinated)");
    cmd->add_option("--iterations", o->iterations, "total iterations (a resumed run continues up to this)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--batch", o->batch, "faces per iteration")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    add_backend_option(cmd, o->backend);
    add_precision_option(cmd, o->precision);
    add_layout_option(cmd, o->layout);
    cmd->add_flag(
        "--deterministic", o->deterministic,
        "convolutions that repeat bit for bit from run to run (--backend cuda: cuDNN's deterministic "
        "algorithms, chosen by its heuristics instead of timing; the CPU backends always repeat for a "
        "given thread count)");
    cmd->add_flag("--graph", o->graph,
                  "replay the training step as a CUDA graph (--backend cuda): the first iteration at each "
                  "learning rate runs as usual and is captured, the later ones replay it");
    cmd->add_option("--checkpoint", o->checkpoint, "checkpoint directory (none: nothing is saved)");
    cmd->add_flag("--resume", o->resume,
                  "continue from the latest checkpoint in --checkpoint, if there is one");
    cmd->add_option("--checkpoint-every", o->checkpoint_every,
                    "iterations between checkpoints (0: only at the end)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--frnet-widths", o->frnet_widths, "FRNET stage widths, 4 values")
        ->delimiter(',')
        ->capture_default_str();
    cmd->add_option("--frnet-blocks", o->frnet_blocks, "FRNET residual blocks per stage, 4 values")
        ->delimiter(',')
        ->capture_default_str();
    cmd->add_option("--features", o->features,
                    "FRNET feature size (the face descriptor is twice this: face + flip)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--face-height", o->face_height, "face height in pixels (HR and upscaled LR)")
        ->check(CLI::Range(10, 1024))
        ->capture_default_str();
    cmd->add_option("--face-width", o->face_width, "face width in pixels")
        ->check(CLI::Range(10, 1024))
        ->capture_default_str();
    cmd->add_option("--scale", o->scale, "LR down-sampling factor (MATLAB-compatible bicubic)")
        ->check(CLI::Range(1, 16))
        ->capture_default_str();
    cmd->add_option("--lr-srnet", o->lr_srnet, "SRNET learning rate (paper 1e-5)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--lr-frnet", o->lr_frnet, "FRNET learning rate (center-loss paper 0.1)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--alpha", o->loss.alpha, "pixel loss weight")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--beta1", o->loss.beta1, "softmax loss weight")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--beta2", o->loss.beta2, "center loss weight")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--gamma", o->loss.gamma, "center update rate (eq. 13)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--momentum", o->momentum, "SGD momentum")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    cmd->add_option("--weight-decay", o->weight_decay, "L2 weight decay (not on biases or PReLU slopes)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--metrics", o->metrics,
                    "append one JSON line per iteration (losses, lr factor, images/s) to FILE");
    cmd->add_option("--seed", o->seed,
                    "seed of the weights, the data order and flips (and the synthetic faces)")
        ->capture_default_str();
    cmd->add_option("--workers", o->workers, "data loading threads")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_flag("--cache", o->cache,
                  "keep each image, decoded and prepared, in memory after its first load (face height x "
                  "width x 12 bytes per image; synthetic faces are always kept)");
    cmd->add_option("--log-every", o->log_every, "iterations between progress updates")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_flag("--quiet", o->quiet, "no progress line on stderr");
    cmd->add_flag("--json", o->json, "print the summary as JSON");
    cmd->callback([o] {
        with_backend_at(o->backend, o->precision, [&]<class B>() {
            apply_layout<B>(o->layout);
            return detail::run_train<B>(*o);
        });
    });
}

} // namespace jhr::cli
