// jhr/losses/squared_error.hpp: the pixel-wise hallucination loss (paper eq. 2).
//   L = s * sum_i ||y_i - t_i||^2,  dL/dy_i = 2 s (y_i - t_i)  (eq. 12), s = 1 (sum) or 1/N (mean).
// No 1/2 factor. evaluate() returns L and leaves weight * dL/dy in gradient().
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
        gradient_.resize(y.shape());
        return s * B::squared_difference(y.size(), y.data(), target.data(), 2.0f * s * weight, gradient_.data());
    }
    const tensor<B>& gradient() const { return gradient_; }
    jhr::reduction reduction() const { return reduction_; }

private:
    jhr::reduction reduction_;
    tensor<B> gradient_;
};

} // namespace jhr
