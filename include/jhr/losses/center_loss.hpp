// jhr/losses/center_loss.hpp: the center loss of Wen et al. 2016 (paper eq. 4, 9, 13-14), a
// reusable component for any classifier's feature layer.
//
//   L = s * sum_i 1/2 ||x_i - m_{c_i}||^2,  dL/dx_i = s (x_i - m_{c_i})  (eq. 9, centers held fixed),
// s = 1 (sum) or 1/N (mean). The 1/2 makes eq. 9 exact; the paper's eq. 4 omits it.
// Centers are not trained by the optimizer: update_centers() applies eq. 13-14,
//   m_j -= gamma * sum_i [c_i = j] (m_j - x_i) / (1 + n_j),
// independent of the loss weight (beta2) and of weight decay. Centers start at zero.
// evaluate() enqueues L and weight * dL/dx without waiting for the backend; value() reads L back.
// Labels are checked against the label tensor's host copy.
#pragma once

#include "jhr/losses/loss_value.hpp"
#include "jhr/losses/softmax_cross_entropy.hpp"

namespace jhr {

template <Backend B>
class center_loss {
public:
    center_loss(int classes, int dimension, float gamma = 0.5f, jhr::reduction r = reduction::mean)
        : centers_(shape{classes, dimension, 1, 1}, 0.0f), gamma_(gamma), reduction_(r) {
        if (classes <= 0 || dimension <= 0)
            throw shape_error("center_loss: classes and dimension must be positive, got " +
                              std::to_string(classes) + ", " + std::to_string(dimension));
    }

    // Features x: [N, dimension, 1, 1] (or any [N, C, H, W] with C*H*W = dimension, read in nchw
    // order); the gradient is nchw.
    void evaluate(const tensor<B>& x, const label_tensor<B>& labels, float weight = 1.0f) {
        check(x.shape(), labels);
        const float s = reduction_scale(reduction_, x.shape().n);
        gradient_.resize(x.shape());
        const tensor<B>& features = in_layout(x, layout::nchw, converted_);
        B::center_distance(x.shape().n, dimension(), features.data(), labels.data(), centers_.data(), s,
                           s * weight, gradient_.data(), value_.data());
    }
    // L of the last evaluate(); waits for the backend.
    double value() const { return value_.download(); }
    const tensor<B>& gradient() const { return gradient_; }

    // Eq. 13-14 with the features and labels of the batch just evaluated.
    void update_centers(const tensor<B>& x, const label_tensor<B>& labels) {
        check(x.shape(), labels);
        const tensor<B>& features = in_layout(x, layout::nchw, converted_);
        B::center_update(x.shape().n, dimension(), features.data(), labels.data(), gamma_, centers_.data());
    }

    tensor<B>& centers() { return centers_; }
    const tensor<B>& centers() const { return centers_; }
    float gamma() const { return gamma_; }
    int classes() const { return centers_.shape().n; }
    int dimension() const { return centers_.shape().c; }

private:
    void check(const shape& x, const label_tensor<B>& labels) const {
        if (x.sample_size() != std::size_t(dimension()))
            throw shape_error("center_loss: features " + x.str() + " have " +
                              std::to_string(x.sample_size()) + " values per sample, the centers have " +
                              std::to_string(dimension()));
        expect_labels(labels.host(), x.n, classes(), "center_loss");
    }

    tensor<B> centers_;
    float gamma_;
    jhr::reduction reduction_;
    loss_value<B> value_;
    tensor<B> gradient_, converted_; // converted_: the features in nchw, where they are not
};

} // namespace jhr
