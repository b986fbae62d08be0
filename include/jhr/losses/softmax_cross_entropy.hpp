// jhr/losses/softmax_cross_entropy.hpp: the classification loss on logits (paper eq. 3).
//   L = -s * sum_i log softmax(z_i)[c_i],  dL/dz_i = s (softmax(z_i) - onehot(c_i)),
// s = 1 (sum) or 1/N (mean). Logits are [N, classes, 1, 1]; labels lie in [0, classes), checked
// against the label tensor's host copy. The gradient is nchw.
// evaluate() enqueues L and weight * dL/dz without waiting for the backend; value() reads L back.
// The softmax weights W_s, b_s are an ordinary linear layer in front of this loss.
#pragma once

#include "jhr/core/tensor.hpp"
#include "jhr/losses/loss_value.hpp"
#include "jhr/losses/reduction.hpp"

#include <span>
#include <vector>

namespace jhr {

// Throws shape_error unless there is one label per sample and each lies in [0, classes).
inline void expect_labels(std::span<const std::int32_t> labels, int batch, int classes, const char* who) {
    if (labels.size() != std::size_t(batch))
        throw shape_error(std::string(who) + ": " + std::to_string(labels.size()) +
                          " labels for a batch of " + std::to_string(batch));
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] < 0 || labels[i] >= classes)
            throw shape_error(std::string(who) + ": label " + std::to_string(labels[i]) + " of sample " +
                              std::to_string(i) + " is outside [0, " + std::to_string(classes) + ")");
}

template <Backend B>
class softmax_cross_entropy {
public:
    explicit softmax_cross_entropy(jhr::reduction r = reduction::mean) : reduction_(r) {}

    void evaluate(const tensor<B>& logits, const label_tensor<B>& labels, float weight = 1.0f) {
        const shape& s = logits.shape();
        expect_labels(labels.host(), s.n, int(s.sample_size()), "softmax_cross_entropy");
        const float scale = reduction_scale(reduction_, s.n);
        gradient_.resize(s);
        const tensor<B>& z = in_layout(logits, layout::nchw, converted_);
        B::softmax_cross_entropy(s.n, s.sample_size(), z.data(), labels.data(), scale, scale * weight,
                                 gradient_.data(), value_.data());
    }
    // L of the last evaluate(); waits for the backend.
    double value() const { return value_.download(); }
    const tensor<B>& gradient() const { return gradient_; }

private:
    jhr::reduction reduction_;
    loss_value<B> value_;
    tensor<B> gradient_, converted_; // converted_: the logits in nchw, where they are not
};

} // namespace jhr
