// Finite-difference gradient checks for layers, losses and whole networks.
//
// A layer is checked through the scalar L(x, theta) = <r, f(x)> for a fixed random r: backward(r)
// must equal the central difference (L(+eps) - L(-eps)) / 2 eps for every sampled entry of the
// input and of every parameter. Errors are norm-relative over the sampled entries:
// ||analytic - numeric|| / max(||analytic||, ||numeric||). L is accumulated in double on the host.
#pragma once

#include "jhr/core/random.hpp"
#include "jhr/core/tensor.hpp"
#include "jhr/layers/parameter.hpp"
#include "support/relative_difference.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace jhr::testing {

// Normal values pushed away from zero (|v| >= margin) so that kinks (ReLU, PReLU) stay uncrossed.
inline host_tensor random_host(const shape& s, rng& r, double margin = 0.1) {
    host_tensor h =
        host_tensor::from_shape({std::size_t(s.n), std::size_t(s.c), std::size_t(s.h), std::size_t(s.w)});
    for (float& v : h) {
        const double n = normal(r);
        v = float(n >= 0 ? n + margin : n - margin);
    }
    return h;
}

template <Backend B>
tensor<B> random_tensor(const shape& s, rng& r, double margin = 0.1) {
    return tensor<B>::from_host(random_host(s, r, margin));
}

inline double dot_host(const host_tensor& a, const host_tensor& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += double(a.data()[i]) * double(b.data()[i]);
    return s;
}

inline std::vector<std::size_t> sample_indices(std::size_t size, std::size_t count, rng& r) {
    std::vector<std::size_t> idx;
    if (size <= count) {
        for (std::size_t i = 0; i < size; ++i) idx.push_back(i);
    } else {
        for (std::size_t i = 0; i < count; ++i) idx.push_back(uniform_index(r, size));
    }
    return idx;
}

// Compares the analytic gradient `analytic` of `loss` w.r.t. the tensor `t` with central differences.
// A sample whose one-sided differences disagree by more than kink_tolerance (relative) straddles a
// kink (ReLU, PReLU, max pooling) inside [-eps, eps]; it is left out, and at most half of the
// samples may be. Returns the norm-relative error over the kept samples.
template <Backend B>
double numeric_vs_analytic(tensor<B>& t, const host_tensor& analytic, const std::function<double()>& loss,
                           rng& r, float eps, std::size_t samples, double kink_tolerance = 1e-2) {
    host_tensor h = t.to_host();
    const double centre = loss();
    // Rounding of the float forward pass makes one-sided differences of near-zero derivatives
    // disagree too; below this floor (relative to the tensor's typical derivative) that is noise.
    double rms = 0;
    for (float g : analytic) rms += double(g) * g;
    const double floor = 1e-2 * std::sqrt(rms / double(std::max<std::size_t>(analytic.size(), 1)));
    std::vector<double> a, n;
    std::size_t kinks = 0, drawn = 0;
    for (std::size_t i : sample_indices(h.size(), samples, r)) {
        ++drawn;
        const float saved = h.data()[i];
        h.data()[i] = saved + eps;
        t.assign(h);
        const double plus = loss();
        h.data()[i] = saved - eps;
        t.assign(h);
        const double minus = loss();
        h.data()[i] = saved;
        t.assign(h);
        const double left = (centre - minus) / eps, right = (plus - centre) / eps;
        if (std::abs(left - right) > kink_tolerance * std::max({std::abs(left), std::abs(right), floor})) {
            ++kinks;
            continue;
        }
        n.push_back((plus - minus) / (2.0 * eps));
        a.push_back(analytic.data()[i]);
    }
    INFO("samples straddling a kink: " << kinks << " of " << drawn);
    CHECK(kinks * 2 <= drawn);
    return relative_difference(a, n, 1e-12);
}

struct gradient_check_options {
    float eps = 1e-2f;
    std::size_t samples = 40;
    double tolerance = 1e-3;
    double input_margin = 0.1;
};

// Checks a layer's input gradient and every parameter gradient for input shape `in`.
template <Backend B, class Layer>
void check_layer_gradients(Layer& layer, const shape& in, rng& r, gradient_check_options o = {},
                           const host_tensor* input = nullptr) {
    tensor<B> x = input ? tensor<B>::from_host(*input) : random_tensor<B>(in, r, o.input_margin);
    const shape out = layer.output_shape(in);
    const host_tensor projection = random_host(out, r, 0.0);
    const tensor<B> dy = tensor<B>::from_host(projection);
    auto loss = [&] { return dot_host(layer.forward(x).to_host(), projection); };

    layer.forward(x);
    const host_tensor dx = layer.backward(dy).to_host();
    std::vector<std::pair<std::string, host_tensor>> grads;
    layer.for_each_parameter([&](std::string_view name, parameter<B>& p) {
        grads.emplace_back(std::string(name), p.grad.to_host());
    });

    const double input_error = numeric_vs_analytic(x, dx, loss, r, o.eps, o.samples);
    INFO("input gradient, shape " << in.str() << " error " << input_error);
    CHECK(input_error < o.tolerance);
    std::size_t k = 0;
    layer.for_each_parameter([&](std::string_view name, parameter<B>& p) {
        const double e = numeric_vs_analytic(p.value, grads[k++].second, loss, r, o.eps, o.samples);
        INFO("parameter " << std::string(name) << " error " << e);
        CHECK(e < o.tolerance);
    });
}

} // namespace jhr::testing
