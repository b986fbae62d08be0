// jhr/losses/squared_error.hpp: the pixel-wise hallucination loss (paper eq. 2).
//   L = s * sum_i ||y_i - t_i||^2,  dL/dy_i = 2 s (y_i - t_i)  (eq. 12), s = 1 (sum) or 1/N (mean).
// No 1/2 factor. evaluate() enqueues L and weight * dL/dy (in gradient(), in y's fp32 layout) without
// waiting for the backend; value() reads L back.
#pragma once

#include "jhr/core/tensor.hpp"
#include "jhr/losses/loss_value.hpp"
#include "jhr/losses/reduction.hpp"

namespace jhr {

template <Backend B>
class squared_error {
public:
    explicit squared_error(jhr::reduction r = reduction::mean) : reduction_(r) {}

    void evaluate(const tensor<B>& y_in, const tensor<B>& target, float weight = 1.0f) {
        expect_shape(y_in.shape(), target.shape(), "squared_error: target");
        const float s = reduction_scale(reduction_, y_in.shape().n);
        const tensor<B>& y = in_layout(y_in, fp32_layout(y_in.layout()), converted_y_);
        const tensor<B>& t = in_layout(target, y.layout(), converted_);
        gradient_.resize(y.shape(), y.layout());
        B::squared_difference(y.size(), y.data(), t.data(), s, 2.0f * s * weight, gradient_.data(),
                              value_.data());
    }
    // L of the last evaluate(); waits for the backend.
    double value() const { return value_.download(); }
    const tensor<B>& gradient() const { return gradient_; }
    jhr::reduction reduction() const { return reduction_; }

private:
    jhr::reduction reduction_;
    loss_value<B> value_;
    // converted_y_: a bfloat16 y widened; converted_: the target in y's layout, where they differ
    tensor<B> gradient_, converted_y_, converted_;
};

} // namespace jhr
