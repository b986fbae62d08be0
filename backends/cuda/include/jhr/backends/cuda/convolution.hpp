// jhr/backends/cuda/convolution.hpp: 2-d convolution on cuDNN 9 (the legacy convolution API).
//
// Same contracts as the reference: forward writes y = conv(x, w) + b (b nullable); backward_data
// writes dx; backward_weights writes dw and db (db nullable). At fp32 precision (the default) the
// descriptors ask for CUDNN_FMA_MATH, so no TF32 tensor-core rounding; at tf32 for
// CUDNN_TENSOR_OP_MATH; at bf16 cuDNN convolves bfloat16 nhwc copies of the inputs (krsc filters)
// into a bfloat16 nhwc result that is widened into the fp32 output (cuda/precision.hpp). Tensors may
// be nchw or nhwc (cuda/layout.hpp): cuDNN works in the output's layout, krsc filters with nhwc. For each
// geometry and precision (per thread) the descriptors are built once and each direction's algorithm is chosen
// once, at its first call, by timing cuDNN's candidates (cudnnFind*AlgorithmEx on the call's own buffers,
// with a search workspace of at most 256 MiB); the fastest that succeeds is kept. The per-thread workspace
// grows to the largest an algorithm needs and is reused by every later call.
// set_deterministic(true) (process-wide, off by default, as PyTorch's cudnn.deterministic) takes the
// algorithms from cuDNN's heuristics instead of timing (cudnnGet*Algorithm_v7), and only ones cuDNN
// marks CUDNN_DETERMINISTIC: two runs of a program on one GPU model and library version then give
// bit-identical convolutions (the backend's own kernels and its GEMMs always repeat). Plans are
// kept per setting.
#pragma once

#include "jhr/core/geometry.hpp"

#include <atomic>

namespace jhr::backends {

struct cuda_convolution {
    static void set_deterministic(bool on) noexcept { deterministic_.store(on); }
    static bool deterministic() noexcept { return deterministic_.load(); }

    static void conv2d_forward(const conv2d_geometry& g, const float* x, const float* w, const float* b,
                               float* y);
    static void conv2d_backward_data(const conv2d_geometry& g, const float* w, const float* dy, float* dx);
    static void conv2d_backward_weights(const conv2d_geometry& g, const float* x, const float* dy, float* dw,
                                        float* db);
    // Both gradients (dx skipped when null); at bf16 dy is rounded once for the two directions.
    static void conv2d_backward(const conv2d_geometry& g, const float* x, const float* w, const float* dy,
                                float* dx, float* dw, float* db);

private:
    static inline std::atomic<bool> deterministic_{false};
};

} // namespace jhr::backends
