// Finite-difference check of a loss's gradient w.r.t. its input: evaluate(y) must have
// gradient() equal to the central differences of the returned value (times the weight).
// Losses are smooth, so no sample is treated as straddling a kink.
#pragma once

#include "support/gradient_check.hpp"

#include <limits>

namespace jhr::testing {

template <Backend B, class Evaluate>
double loss_gradient_error(tensor<B>& y, Evaluate&& evaluate, const host_tensor& analytic, rng& r,
                           float eps = 1e-2f) {
    return numeric_vs_analytic(y, analytic, std::function<double()>(evaluate), r, eps, 60,
                               std::numeric_limits<double>::infinity());
}

} // namespace jhr::testing
