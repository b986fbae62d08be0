// jhr/backends/reference/activation.hpp: ReLU and per-channel PReLU on the host.
// PReLU: y = x for x > 0, alpha[c] * x otherwise; dalpha[c] = sum over batch and pixels of dy * x
// where x <= 0 (written, not accumulated). bias_prelu_* and bias_relu_* take a convolution's output
// without its bias (core/backend.hpp, BiasActivationEpilogues) and add it first.
#pragma once

#include "jhr/core/geometry.hpp"

#include <cstddef>

namespace jhr::backends {

struct host_activation {
    static void relu_forward(std::size_t n, const float* x, float* y) {
        for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
    }
    static void relu_backward(std::size_t n, const float* x, const float* dy, float* dx) {
        for (std::size_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
    }
    static void prelu_forward(const channel_geometry& g, const float* x, const float* alpha, float* y) {
        activate("prelu_forward", g, x, nullptr, alpha, y);
    }
    static void prelu_backward(const channel_geometry& g, const float* x, const float* alpha, const float* dy,
                               float* dx, float* dalpha) {
        expect_nchw(g, "reference", "prelu_backward");
        for (int c = 0; c < g.channels; ++c) dalpha[c] = 0.0f;
        for (int n = 0; n < g.batch; ++n)
            for (int c = 0; c < g.channels; ++c) {
                const std::size_t base = (std::size_t(n) * g.channels + c) * g.spatial;
                double da = 0;
                for (int p = 0; p < g.spatial; ++p) {
                    const float v = x[base + p];
                    dx[base + p] = v > 0.0f ? dy[base + p] : alpha[c] * dy[base + p];
                    if (v <= 0.0f) da += double(dy[base + p]) * v;
                }
                dalpha[c] += float(da);
            }
    }
    static void bias_prelu_forward(const channel_geometry& g, const float* z, const float* bias,
                                   const float* alpha, float* y) {
        activate("bias_prelu_forward", g, z, bias, alpha, y);
    }
    static void bias_prelu_backward(const channel_geometry& g, const float* z, const float* bias,
                                    const float* alpha, const float* dy, float* dx, float* dbias,
                                    float* dalpha) {
        activate_backward("bias_prelu_backward", g, z, bias, alpha, dy, dx, dbias, dalpha);
    }
    static void bias_prelu_residual_forward(const channel_geometry& g, const float* z, const float* bias,
                                            const float* alpha, const float* skip, float* y) {
        activate("bias_prelu_residual_forward", g, z, bias, alpha, y);
        for (std::size_t i = 0; i < g.size(); ++i) y[i] += skip[i];
    }
    static void bias_relu_forward(const channel_geometry& g, const float* z, const float* bias, float* y) {
        activate("bias_relu_forward", g, z, bias, nullptr, y);
    }
    static void bias_relu_backward(const channel_geometry& g, const float* z, const float* bias,
                                   const float* dy, float* dx, float* dbias) {
        activate_backward("bias_relu_backward", g, z, bias, nullptr, dy, dx, dbias, nullptr);
    }

private:
    // y = prelu(z + bias[c]), for `function`: no bias where it is null, a ReLU (slope 0) where alpha is.
    static void activate(const char* function, const channel_geometry& g, const float* z, const float* bias,
                         const float* alpha, float* y) {
        expect_nchw(g, "reference", function);
        for (int n = 0; n < g.batch; ++n)
            for (int c = 0; c < g.channels; ++c) {
                const std::size_t base = (std::size_t(n) * g.channels + c) * g.spatial;
                for (int p = 0; p < g.spatial; ++p) {
                    const float v = bias ? z[base + p] + bias[c] : z[base + p];
                    y[base + p] = v > 0.0f ? v : alpha ? alpha[c] * v : 0.0f;
                }
            }
    }
    // dx, dbias and, with alpha, dalpha of y = prelu(z + bias[c]) (a ReLU without alpha), for
    // `function`; each channel's sums in double.
    static void activate_backward(const char* function, const channel_geometry& g, const float* z,
                                  const float* bias, const float* alpha, const float* dy, float* dx,
                                  float* dbias, float* dalpha) {
        expect_nchw(g, "reference", function);
        for (int c = 0; c < g.channels; ++c) {
            double da = 0, db = 0;
            for (int n = 0; n < g.batch; ++n) {
                const std::size_t base = (std::size_t(n) * g.channels + c) * g.spatial;
                for (int p = 0; p < g.spatial; ++p) {
                    const float v = z[base + p] + bias[c];
                    dx[base + p] = v > 0.0f ? dy[base + p] : alpha ? alpha[c] * dy[base + p] : 0.0f;
                    if (alpha && v <= 0.0f) da += double(dy[base + p]) * v;
                    db += dx[base + p];
                }
            }
            if (alpha) dalpha[c] = float(da);
            dbias[c] = float(db);
        }
    }
};

} // namespace jhr::backends
