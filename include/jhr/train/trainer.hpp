// jhr/train/trainer.hpp: Algorithm 1 for any cascade: SGD over every stage's and head's
// parameters with per-stage learning rates, the step schedule, the heads' after-step updates
// (the center update), checkpoints and exact resume.
//
// Per iteration: check the batch's targets on the host (cascade::check), enqueue forward/backward through the
// cascade, the SGD step with lr = stage rate * schedule factor and after_step (or, with options.graph, replay
// their capture); fetch and prepare the next batch (input, target, labels) while the backend runs them; then
// read the losses, check every one is finite (else throw training_diverged: that iteration's SGD step is
// already applied in memory, the last checkpoint on disk is left as it was), log and checkpoint. Batches come
// from a deterministic loader (full batches only), so iteration i always sees the same faces: a resumed run
// repeats an uninterrupted one exactly on a deterministic backend.
#pragma once

#include "jhr/data/loader.hpp"
#include "jhr/optim/schedule.hpp"
#include "jhr/train/checkpointing.hpp"
#include "jhr/train/progress.hpp"
#include "jhr/train/replayed_work.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <optional>

namespace jhr {

class training_diverged : public error {
public:
    using error::error;
};

struct trainer_options {
    std::int64_t iterations = 28000;
    std::vector<std::int64_t> milestones; // empty: the paper's 16k/24k of 28k, scaled to `iterations`
    double schedule_gamma = 0.1;
    // Learning rate per stage name; stages not listed use default_learning_rate. Paper: SRNET 1e-5;
    // FRNET's rate is not given, jhr uses the center-loss paper's 0.1.
    std::map<std::string, float> learning_rates{{"srnet", 1e-5f}, {"frnet", 0.1f}};
    float default_learning_rate = 0.01f;
    sgd_options sgd;                      // momentum 0.9, weight decay 5e-4 (center-loss paper)
    std::uint64_t seed = 1;               // weight initialisation
    std::filesystem::path checkpoint_dir; // empty: no checkpoints
    std::int64_t checkpoint_every = 0;    // 0: only at the end
    int keep = 2;
    bool resume = false;                // continue from checkpoint_dir's latest checkpoint, if any
    std::filesystem::path metrics_path; // JSON lines, appended; empty: none
    std::int64_t log_every = 10;
    std::ostream* progress = &std::cerr;              // null: quiet
    nlohmann::json config = nlohmann::json::object(); // recorded in checkpoints
    // Replay the training step from a recording (a CapturedGraphs backend: CUDA graphs): the first
    // iteration at each schedule factor runs as usual and is then captured, later ones replay it.
    bool graph = false;
};

struct training_report {
    std::int64_t first_iteration = 0, iterations = 0;
    std::vector<std::string> names;
    std::vector<std::vector<double>> losses; // per iteration run, per head
    double seconds = 0, images_per_second = 0;
    double data_wait_seconds = 0; // of seconds, spent waiting for the loader (the input pipeline is behind)
    // Of seconds, spent in `prepare` and the label upload: copying each batch into backend tensors.
    double input_copy_seconds = 0;
    std::int64_t replayed_iterations = 0; // of iterations, run by replaying a captured step (options.graph)
};

template <Backend B, class Net>
class trainer {
public:
    trainer(Net& net, trainer_options options) : net_(net), options_(std::move(options)), opt_(options_.sgd) {
        if (options_.graph && !CapturedGraphs<B>)
            throw error("trainer: the graph option needs a backend that captures graphs (cuda), not " +
                        std::string(B::name));
        add_stage_groups(std::make_index_sequence<Net::stage_count>{});
        schedule_ = options_.milestones.empty()
                        ? step_schedule::paper(options_.iterations)
                        : step_schedule{options_.milestones, options_.schedule_gamma, options_.iterations};
    }

    // Initialises the weights from the seed, or restores the latest checkpoint when resuming.
    // Returns the iteration training continues from.
    std::int64_t start() {
        if (options_.resume && !options_.checkpoint_dir.empty() && has_checkpoint(options_.checkpoint_dir)) {
            const checkpoint c = load_latest_checkpoint(options_.checkpoint_dir, std::cerr);
            restore_weights<B>(net_, c.weights);
            restore_momenta(opt_, c.momenta);
            iteration_ = c.iteration;
        } else {
            rng r(options_.seed);
            net_.initialize(r);
            iteration_ = 0;
        }
        return iteration_;
    }

    // Trains until `options.iterations`; `prepare(batch, input, target)` builds the tensors (the
    // trainer uploads the labels).
    template <class Source, class Prepare>
    training_report run(data::batch_loader<Source>& loader, std::size_t batch_size, Prepare&& prepare) {
        const std::size_t per_epoch = loader.source().size() / batch_size;
        if (per_epoch == 0)
            throw error("trainer: " + std::to_string(loader.source().size()) +
                        " samples are fewer than one batch of " + std::to_string(batch_size));
        std::ofstream metrics;
        if (!options_.metrics_path.empty()) {
            metrics.open(options_.metrics_path, std::ios::app);
            if (!metrics)
                throw io_error("trainer: cannot open metrics file " + options_.metrics_path.string());
        }
        training_report report;
        report.first_iteration = iteration_;
        const auto names = net_.head_names();
        report.names.assign(names.begin(), names.end());

        // Position the loader at the batch this iteration uses.
        std::uint64_t epoch = iteration_ / per_epoch;
        loader.start_epoch(epoch);
        for (std::size_t skip = iteration_ % per_epoch; skip > 0; --skip) loader.next();

        // Fetches the batch of iteration i (the next one in the loader) into input_, target_ and labels_.
        auto fetch = [&](std::int64_t i) {
            if (i % std::int64_t(per_epoch) == 0 && std::uint64_t(i / per_epoch) != epoch) {
                epoch = i / per_epoch;
                loader.start_epoch(epoch);
            }
            const auto asked = std::chrono::steady_clock::now();
            std::optional<data::face_batch> batch = loader.next();
            const auto received = std::chrono::steady_clock::now();
            report.data_wait_seconds += std::chrono::duration<double>(received - asked).count();
            if (!batch || batch->labels.size() != batch_size)
                throw error("trainer: the loader ended epoch " + std::to_string(epoch) + " early");
            prepare(*batch, input_, target_);
            labels_.assign(batch->labels);
            report.input_copy_seconds +=
                std::chrono::duration<double>(std::chrono::steady_clock::now() - received).count();
        };

        const auto begin = std::chrono::steady_clock::now();
        const targets<B> t{&target_, &labels_};
        if (iteration_ < options_.iterations) fetch(iteration_);
        while (iteration_ < options_.iterations) {
            report.replayed_iterations += step(t, schedule_.factor(iteration_));
            // The next batch overwrites this step's inputs while the step may still run: safe, as on
            // CUDA the uploads are queued on the stream after the step, and on the host backends the
            // step has finished already.
            if (iteration_ + 1 < options_.iterations) fetch(iteration_ + 1);
            const std::array<double, Net::head_count> losses = net_.losses();
            for (std::size_t k = 0; k < losses.size(); ++k)
                if (!std::isfinite(losses[k]))
                    diverged(iteration_ + 1, names[k] + " loss is " + std::to_string(losses[k]));
            ++iteration_;

            report.losses.emplace_back(losses.begin(), losses.end());
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
            step_record record{iteration_,
                               report.names,
                               report.losses.back(),
                               net_.total_loss(losses),
                               schedule_.factor(iteration_ - 1),
                               double(report.losses.size() * batch_size) / std::max(seconds, 1e-9),
                               seconds,
                               report.data_wait_seconds,
                               report.input_copy_seconds};
            if (metrics) metrics << to_json(record).dump() << "\n" << std::flush;
            if (options_.progress &&
                (iteration_ % options_.log_every == 0 || iteration_ == options_.iterations))
                *options_.progress << "\r" << progress_line(record, options_.iterations) << std::flush;
            if (options_.checkpoint_every > 0 && iteration_ % options_.checkpoint_every == 0) save();
        }
        if (options_.progress && !report.losses.empty()) *options_.progress << "\n";
        report.iterations = iteration_ - report.first_iteration;
        report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
        report.images_per_second = double(report.iterations * batch_size) / std::max(report.seconds, 1e-9);
        if (!options_.checkpoint_dir.empty() && report.iterations > 0 &&
            (options_.checkpoint_every <= 0 || iteration_ % options_.checkpoint_every != 0))
            save();
        return report;
    }

    // Throws training_diverged, writing nothing, when a weight or momentum is not finite: the step
    // after the last finite losses can still overflow the parameters.
    void save() {
        checkpoint c;
        c.iteration = iteration_;
        c.weights = collect_weights<B>(net_);
        c.momenta = collect_momenta(opt_);
        for (const auto* arrays : {&c.weights, &c.momenta})
            for (const named_array& a : *arrays)
                if (!std::all_of(a.values.begin(), a.values.end(), [](float v) { return std::isfinite(v); }))
                    diverged(iteration_, (arrays == &c.weights ? "parameter " : "momentum of ") + a.name +
                                             " is not finite");
        c.config = options_.config;
        c.config["trainer"] = hyper_parameters();
        save_checkpoint(options_.checkpoint_dir, c, options_.keep);
    }

    // The run's hyper-parameters, recorded in every checkpoint. The data order and flips are a pure
    // function of the loader's seed, epoch and position, so no generator state needs saving.
    nlohmann::json hyper_parameters() const {
        return {{"iterations", options_.iterations},
                {"milestones", schedule_.milestones},
                {"schedule_gamma", schedule_.gamma},
                {"learning_rates", options_.learning_rates},
                {"default_learning_rate", options_.default_learning_rate},
                {"momentum", options_.sgd.momentum},
                {"weight_decay", options_.sgd.weight_decay},
                {"seed", options_.seed}};
    }

    std::int64_t iteration() const { return iteration_; }
    sgd<B>& optimizer() { return opt_; }
    const step_schedule& schedule() const { return schedule_; }

private:
    // Enqueues one iteration's step, run as is or (options.graph) replayed from the capture of the
    // first step at this schedule factor (run as is first: a convolution's first call chooses its
    // algorithms, which a capture cannot). Returns whether it replayed.
    bool step(const targets<B>& t, double factor) {
        net_.check(t); // a replay runs none of the heads' host checks
        auto enqueue = [&] {
            net_.train_step(input_, t);
            opt_.step(factor);
            net_.after_step(t);
        };
        if (!options_.graph) {
            enqueue();
            return false;
        }
        if (factor != graph_factor_) {
            graph_.reset(); // its memory back before the next capture
            graph_factor_ = factor;
        }
        return graph_.run(enqueue);
    }

    // Throws training_diverged "training diverged at iteration N: <what>", naming the kept checkpoint.
    [[noreturn]] void diverged(std::int64_t iteration, const std::string& what) const {
        throw training_diverged(
            "training diverged at iteration " + std::to_string(iteration) + ": " + what +
            (options_.checkpoint_dir.empty()
                 ? std::string()
                 : "; the last good checkpoint in " + options_.checkpoint_dir.string() + " is kept"));
    }

    // Stage I's parameters and those of the heads attached to it train at stage I's rate.
    template <std::size_t I>
    struct stage_parameters {
        Net& net;
        template <class Visitor>
        void for_each_parameter(Visitor&& visit) {
            net.template for_each_stage_parameter<I>(visit);
            net.template for_each_head_parameter<I>(visit);
        }
    };
    template <std::size_t... I>
    void add_stage_groups(std::index_sequence<I...>) {
        (add_stage_group<I>(), ...);
    }
    template <std::size_t I>
    void add_stage_group() {
        const std::string& name = net_.stage_name(I);
        const auto it = options_.learning_rates.find(name);
        stage_parameters<I> params{net_};
        opt_.add_group(name,
                       it != options_.learning_rates.end() ? it->second : options_.default_learning_rate,
                       params, "");
    }

    Net& net_;
    trainer_options options_;
    sgd<B> opt_;
    step_schedule schedule_;
    std::int64_t iteration_ = 0;
    replayed_work<B> graph_;  // the captured step (options.graph)
    double graph_factor_ = 0; // the schedule factor graph_ steps with (none is 0)
    tensor<B> input_, target_;
    label_tensor<B> labels_;
};

} // namespace jhr
