// jhr/nets/heads.hpp: loss heads a cascade attaches to a stage's output.
//
// A head turns a stage output and the batch targets into a loss and dL/d(output):
//   evaluate(x, targets, weight) -> enqueues the unweighted loss and gradient() = weight * dL/dx,
//   value()                     -> that loss, read back (waits for the backend),
//   for_each_parameter(visit)   -> trainable parameters the head owns (the softmax classifier),
//   for_each_state(visit)       -> named non-trainable state to checkpoint (the centers),
//   after_step(x, targets)      -> updates after the optimizer step (the center update, eq. 13-14),
//   check(targets)              -> throws unless the targets suit the head, on the host alone (optional:
//                                  evaluate() checks too, but a replayed CUDA graph runs no host code).
// The center loss head and the softmax head are independent: any classifier can use either.
#pragma once

#include "jhr/layers/linear.hpp"
#include "jhr/losses/center_loss.hpp"
#include "jhr/losses/softmax_cross_entropy.hpp"
#include "jhr/losses/squared_error.hpp"

#include <concepts>
#include <string>

namespace jhr {

// What a batch asks the heads to reach: a target image (hallucination) and class labels, both
// already in backend memory (uploaded once per batch by whoever builds the targets). A head that
// needs one of them and finds null throws jhr::error naming itself.
template <Backend B>
struct targets {
    const tensor<B>* image = nullptr;
    const label_tensor<B>* labels = nullptr;
};

// *t.labels; throws jhr::error naming `head` when the batch has none.
template <Backend B>
const label_tensor<B>& labels_of(const targets<B>& t, const char* head) {
    if (!t.labels) throw error(std::string(head) + ": the batch has no labels");
    return *t.labels;
}

template <Backend B>
struct state_visitor_archetype {
    void operator()(std::string_view, tensor<B>&) const {}
};

template <class H, class B>
concept LossHead = requires(H& head, const H& const_head, const tensor<B>& x, const targets<B>& t, float w,
                            parameter_visitor_archetype<B> visit, state_visitor_archetype<B> visit_state) {
    head.evaluate(x, t, w);
    { const_head.value() } -> std::same_as<double>;
    { head.gradient() } -> std::same_as<const tensor<B>&>;
    head.for_each_parameter(visit);
    head.for_each_state(visit_state);
    head.after_step(x, t);
    head.initialize(std::declval<rng&>());
};

// Pixel-wise squared error to targets.image (paper eq. 2); the target must match the output shape.
template <Backend B>
class pixel_head {
public:
    explicit pixel_head(jhr::reduction r = reduction::mean) : loss_(r) {}
    void evaluate(const tensor<B>& x, const targets<B>& t, float weight) {
        check(t);
        loss_.evaluate(x, *t.image, weight);
    }
    void check(const targets<B>& t) const {
        if (!t.image) throw error("pixel_head: the batch has no target image");
    }
    double value() const { return loss_.value(); }
    const tensor<B>& gradient() const { return loss_.gradient(); }
    template <class Visitor>
    void for_each_parameter(Visitor&&) {}
    template <class Visitor>
    void for_each_state(Visitor&&) {}
    void after_step(const tensor<B>&, const targets<B>&) {}
    void initialize(rng&) {}

private:
    squared_error<B> loss_;
};

// Softmax classifier (W_s, b_s: "classifier.weight", "classifier.bias") with cross-entropy (eq. 3).
template <Backend B>
class softmax_head {
public:
    softmax_head(int features, int classes, jhr::reduction r = reduction::mean)
        : classifier_(features, classes), loss_(r) {}
    void evaluate(const tensor<B>& x, const targets<B>& t, float weight) {
        const label_tensor<B>& labels = labels_of(t, "softmax_head");
        loss_.evaluate(classifier_.forward(x), labels, weight);
        gradient_ = &classifier_.backward(loss_.gradient());
    }
    // Labels in [0, classes).
    void check(const targets<B>& t) const {
        const label_tensor<B>& labels = labels_of(t, "softmax_head");
        expect_labels(labels.host(), int(labels.size()), classifier_.out_features(), "softmax_head");
    }
    double value() const { return loss_.value(); }
    const tensor<B>& gradient() const { return *gradient_; }
    template <class Visitor>
    void for_each_parameter(Visitor&& visit) {
        classifier_.for_each_parameter(prefixed("classifier", visit));
    }
    template <class Visitor>
    void for_each_state(Visitor&&) {}
    void after_step(const tensor<B>&, const targets<B>&) {}
    void initialize(rng& r) { classifier_.initialize(r); }
    // Logits of the last evaluate().
    const tensor<B>& logits(const tensor<B>& x) { return classifier_.forward(x); }

private:
    linear<B> classifier_;
    softmax_cross_entropy<B> loss_;
    const tensor<B>* gradient_ = nullptr;
};

// Center loss (eq. 4, 9) with the center update (eq. 13-14) after each step; state "centers".
template <Backend B>
class center_head {
public:
    center_head(int features, int classes, float gamma, jhr::reduction r = reduction::mean)
        : loss_(classes, features, gamma, r) {}
    void evaluate(const tensor<B>& x, const targets<B>& t, float weight) {
        loss_.evaluate(x, labels_of(t, "center_head"), weight);
    }
    // Labels in [0, classes).
    void check(const targets<B>& t) const {
        const label_tensor<B>& labels = labels_of(t, "center_head");
        expect_labels(labels.host(), int(labels.size()), loss_.classes(), "center_head");
    }
    double value() const { return loss_.value(); }
    const tensor<B>& gradient() const { return loss_.gradient(); }
    template <class Visitor>
    void for_each_parameter(Visitor&&) {}
    template <class Visitor>
    void for_each_state(Visitor&& visit) {
        visit("centers", loss_.centers());
    }
    void after_step(const tensor<B>& x, const targets<B>& t) {
        loss_.update_centers(x, labels_of(t, "center_head"));
    }
    void initialize(rng&) { loss_.centers().fill(0.0f); }

private:
    center_loss<B> loss_;
};

} // namespace jhr
