// jhr/backends/cuda/activation.hpp: ReLU and per-channel PReLU on the GPU.
//
// Same contracts as the reference: y = max(x, 0); PReLU y = x for x > 0, alpha[c] x otherwise;
// dalpha[c] = sum over batch and pixels of dy x where x <= 0, written (not accumulated) and
// reduced in double: blocks of one channel and a group of samples (about 1024 pixels or more)
// write partial sums, which a second kernel adds per channel in a fixed order (results repeat).
// bias_prelu_* and bias_relu_* add a convolution's bias first (core/backend.hpp,
// BiasActivationEpilogues); dbias is reduced like dalpha, in the same pass.
// bias_prelu_residual_forward adds the skip term in the same pass (ResidualEpilogue).
// Tensors may be nchw or nhwc (g.data_layout, cuda/layout.hpp); on nhwc the backward reduces in
// blocks of 32 channels x 8 row lanes over groups of rows instead.
#pragma once

#include "jhr/core/geometry.hpp"

#include <cstddef>

namespace jhr::backends {

struct cuda_activation {
    static void relu_forward(std::size_t n, const float* x, float* y);
    static void relu_backward(std::size_t n, const float* x, const float* dy, float* dx);
    static void prelu_forward(const channel_geometry& g, const float* x, const float* alpha, float* y);
    static void prelu_backward(const channel_geometry& g, const float* x, const float* alpha, const float* dy,
                               float* dx, float* dalpha);
    static void bias_prelu_forward(const channel_geometry& g, const float* z, const float* bias,
                                   const float* alpha, float* y);
    static void bias_prelu_backward(const channel_geometry& g, const float* z, const float* bias,
                                    const float* alpha, const float* dy, float* dx, float* dbias,
                                    float* dalpha);
    static void bias_prelu_residual_forward(const channel_geometry& g, const float* z, const float* bias,
                                            const float* alpha, const float* skip, float* y);
    static void bias_relu_forward(const channel_geometry& g, const float* z, const float* bias, float* y);
    static void bias_relu_backward(const channel_geometry& g, const float* z, const float* bias,
                                   const float* dy, float* dx, float* dbias);
};

} // namespace jhr::backends
