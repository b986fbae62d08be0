// jhr/losses/squared_error.hpp: the pixel-wise hallucination loss (paper eq. 2).
//   L = s * sum_i ||y_i - t_i||^2,  dL/dy_i = 2 s (y_i - t_i)  (eq. 12), s = 1 (sum) or 1/N (mean).
// No 1/2 factor. evaluate() returns L and leaves weight * dL/dy in gradient(), in y's layout.
#pragma once

#include "jhr/core/tensor.hpp"
#include "jhr/losses/reduction.hpp"

namespace jhr {

template <Backend B>
class squared_error {
public:
    explicit squared_error(jhr::reduction r = reduction::mean) : reduction_(r) {}

    double evaluate(const tensor<B>& y, const tensor<B>& target, float weight = 1.0f) {
        expect_shape(y.shape(), target.shape(), "squared_error: target");
        const float s = reduction_scale(reduction_, y.shape().n);
        const tensor<B>& t = in_layout(target, y.layout(), converted_);
        gradient_.resize(y.shape(), y.layout());
        return s * B::squared_difference(y.size(), y.data(), t.data(), 2.0f * s * weight, gradient_.data());
    }
    const tensor<B>& gradient() const { return gradient_; }
    jhr::reduction reduction() const { return reduction_; }

private:
    jhr::reduction reduction_;
    tensor<B> gradient_, converted_; // converted_: the target in y's layout, where they differ
};

} // namespace jhr
