// jhr/nets/cascade.hpp: the generic cascaded multi-task network.
//
// cascade<B, stages<S0, S1, ...>, heads<on<I, H>, ...>> runs its stages in order, each stage's
// output feeding the next, and attaches loss heads to any stage's output, each with a weight.
// train_step() is the paper's Algorithm 1 for any such network: forward through all stages; then
// from the last stage to the first, the gradient entering stage i is the gradient coming back
// from stage i+1 plus the weighted gradients of the heads on stage i (steps 6-9), and that stage
// back-propagates it. The optimizer step is the caller's; after it, after_step() lets heads
// update their own state (the center update, steps 11-12).
// evaluate(), train_step() and after_step() only enqueue work on the backend, so a step never waits
// for the device; losses() reads the heads' values back (and so waits).
// Stages are Layers (sequential networks); heads satisfy LossHead. Parameters are named
// "<stage name>.<...>" and "<head name>.<...>"; head state "<head name>.<state>".
#pragma once

#include "jhr/nets/heads.hpp"

#include <array>
#include <string>
#include <tuple>
#include <utility>

namespace jhr {

template <class... Stages>
struct stages {};

// A head attached to the output of stage `Stage`.
template <std::size_t Stage, class Head>
struct on {
    static constexpr std::size_t stage = Stage;
    Head head;
    std::string name;
    float weight = 1.0f;
};

template <class... Heads>
struct heads {};

template <Backend B, class Stages, class Heads>
class cascade;

template <Backend B, class... S, class... H>
class cascade<B, stages<S...>, heads<H...>> {
public:
    static constexpr std::size_t stage_count = sizeof...(S);
    static constexpr std::size_t head_count = sizeof...(H);
    static_assert(stage_count > 0, "a cascade needs at least one stage");
    static_assert((Layer<S, B> && ...), "every stage must satisfy Layer");
    static_assert((LossHead<decltype(H::head), B> && ...), "every head must satisfy LossHead");
    static_assert(((H::stage < stage_count) && ...), "a head is attached to a stage that does not exist");
    static_assert(((H::stage == stage_count - 1) || ...), "the last stage needs a head, or it never trains");

    cascade(std::array<std::string, stage_count> stage_names, std::tuple<S...> stage_networks, H... attached)
        : names_(std::move(stage_names)), stages_(std::move(stage_networks)), heads_(std::move(attached)...) {
        // The cascade's input needs no gradient: skip it when the first layer can.
        auto& first = std::get<0>(stages_);
        if constexpr (requires { first.template get<0>().compute_input_gradient; })
            first.template get<0>().compute_input_gradient = false;
    }

    // Inference: the last stage's output (all intermediate outputs stay readable via output()).
    const tensor<B>& forward(const tensor<B>& x) {
        run_forward<0>(x);
        return *outputs_[stage_count - 1];
    }
    // Forward and forward-through-heads only: the heads' losses for losses(), without
    // back-propagating through the stages.
    void evaluate(const tensor<B>& x, const targets<B>& t) {
        forward(x);
        evaluate_heads(t, std::index_sequence_for<H...>{});
    }
    // Algorithm 1 steps 1-9: the heads' losses for losses(); parameter gradients written.
    void train_step(const tensor<B>& x, const targets<B>& t) {
        evaluate(x, t);
        run_backward<stage_count - 1>(nullptr);
    }
    // Throws unless every head that can check targets finds t suits it (host only, nothing enqueued).
    void check(const targets<B>& t) const {
        std::apply([&](const auto&... h) { (check_head(h.head, t), ...); }, heads_);
    }
    // Algorithm 1 steps 11-12: heads update their state from the last forward pass.
    void after_step(const targets<B>& t) {
        std::apply([&](auto&... h) { (h.head.after_step(*outputs_[h.stage], t), ...); }, heads_);
    }

    // Each head's loss (unweighted) from the last evaluate() or train_step(); waits for the backend.
    std::array<double, head_count> losses() const {
        return std::apply([](const auto&... h) { return std::array<double, head_count>{h.head.value()...}; },
                          heads_);
    }
    // Weighted total of the last losses: L = sum_k weight_k * L_k (eq. 5); waits for the backend.
    double total_loss() const { return total_loss(losses()); }
    // The weighted total of losses already read.
    double total_loss(const std::array<double, head_count>& losses) const {
        double total = 0;
        std::size_t k = 0;
        std::apply([&](const auto&... h) { ((total += h.weight * losses[k++]), ...); }, heads_);
        return total;
    }

    template <std::size_t I>
    auto& stage() {
        return std::get<I>(stages_);
    }
    template <std::size_t K>
    auto& head() {
        return std::get<K>(heads_);
    }
    const tensor<B>& output(std::size_t stage) const { return *outputs_.at(stage); }
    const std::string& stage_name(std::size_t i) const { return names_.at(i); }
    std::array<std::string, head_count> head_names() const {
        return std::apply([](const auto&... h) { return std::array<std::string, head_count>{h.name...}; },
                          heads_);
    }
    shape output_shape(std::size_t stage, shape in) const {
        std::size_t i = 0;
        std::apply([&](const auto&... s) { ((i++ <= stage ? (in = s.output_shape(in), 0) : 0), ...); },
                   stages_);
        return in;
    }

    // Every trainable parameter: stages then heads, with prefixed names.
    template <class Visitor>
    void for_each_parameter(Visitor&& visit) {
        visit_stages(visit, std::index_sequence_for<S...>{});
        std::apply([&](auto&... h) { (h.head.for_each_parameter(prefixed(h.name, visit)), ...); }, heads_);
    }
    // Parameters of stage I only (for per-stage learning rates).
    template <std::size_t I, class Visitor>
    void for_each_stage_parameter(Visitor&& visit) {
        std::get<I>(stages_).for_each_parameter(prefixed(names_[I], visit));
    }
    // Parameters of the heads attached to stage I.
    template <std::size_t I, class Visitor>
    void for_each_head_parameter(Visitor&& visit) {
        std::apply(
            [&](auto&... h) {
                ((h.stage == I ? h.head.for_each_parameter(prefixed(h.name, visit)) : void()), ...);
            },
            heads_);
    }
    template <class Visitor>
    void for_each_state(Visitor&& visit) {
        std::apply([&](auto&... h) { (h.head.for_each_state(prefixed(h.name, visit)), ...); }, heads_);
    }
    void initialize(rng& r) {
        std::apply([&](auto&... s) { (s.initialize(r), ...); }, stages_);
        std::apply([&](auto&... h) { (h.head.initialize(r), ...); }, heads_);
    }

private:
    template <class Head>
    static void check_head(const Head& head, const targets<B>& t) {
        if constexpr (requires { head.check(t); }) head.check(t);
    }
    template <std::size_t I>
    void run_forward(const tensor<B>& x) {
        outputs_[I] = &std::get<I>(stages_).forward(x);
        if constexpr (I + 1 < stage_count) run_forward<I + 1>(*outputs_[I]);
    }
    template <std::size_t... K>
    void evaluate_heads(const targets<B>& t, std::index_sequence<K...>) {
        (std::get<K>(heads_).head.evaluate(*outputs_[std::get<K>(heads_).stage], t,
                                           std::get<K>(heads_).weight),
         ...);
    }
    // `from_next`: dL/d(output of stage I) coming back from stage I + 1 (null for the last stage).
    template <std::size_t I>
    void run_backward(const tensor<B>* from_next) {
        tensor<B>& junction = junctions_[I];
        const tensor<B>* incoming = from_next;
        std::apply(
            [&](auto&... h) {
                auto add = [&](auto& attached) {
                    if (attached.stage != I) return;
                    const tensor<B>& g = attached.head.gradient();
                    if (!incoming) {
                        incoming = &g;
                    } else {
                        if (incoming != &junction) {
                            junction.copy_from(*incoming);
                            incoming = &junction;
                        }
                        expect_shape(junction.shape(), g.shape(),
                                     "cascade: head gradient at stage " + names_[I]);
                        accumulate(g, junction, converted_);
                    }
                };
                (add(h), ...);
            },
            heads_);
        const tensor<B>& down = std::get<I>(stages_).backward(*incoming);
        if constexpr (I + 1 < stage_count)
            if (&down != from_next) jhr::release_input_gradient(std::get<I + 1>(stages_));
        if constexpr (I > 0)
            run_backward<I - 1>(&down);
        else
            jhr::release_input_gradient(std::get<0>(stages_)); // the cascade's input needs none
    }
    template <class Visitor, std::size_t... I>
    void visit_stages(Visitor& visit, std::index_sequence<I...>) {
        (std::get<I>(stages_).for_each_parameter(prefixed(names_[I], visit)), ...);
    }

    std::array<std::string, stage_count> names_;
    std::tuple<S...> stages_;
    std::tuple<H...> heads_;
    std::array<const tensor<B>*, stage_count> outputs_{};
    std::array<tensor<B>, stage_count> junctions_{};
    tensor<B> converted_; // a head gradient in its junction's layout, where they differ
};

} // namespace jhr
