// jhr/backends/cuda/loss.hpp: the loss primitives and the center update on the GPU.
//
// Same contracts as the reference: each loss writes value_scale times its sum over the batch (in
// double) to the device pointer `value`, without waiting for the GPU; the gradient output
// (nullable) is grad_scale times the derivative of that sum. center_update applies eq. 13-14 with every delta
// computed from the centers as they were before the call; classes absent from the batch are untouched. Labels
// must lie in [0, classes); they are not checked on the device.
#pragma once

#include <cstddef>
#include <cstdint>

namespace jhr::backends {

struct cuda_loss {
    // sum_i -log softmax(z_i)[label_i]; dz = grad_scale (softmax(z) - onehot(label)). One block per row.
    static void softmax_cross_entropy(std::size_t rows, std::size_t classes, const float* logits,
                                      const std::int32_t* labels, double value_scale, float grad_scale,
                                      float* dlogits, double* value);
    // sum_i 1/2 ||x_i - m_{label_i}||^2; dx = grad_scale (x_i - m_{label_i}).
    static void center_distance(std::size_t rows, std::size_t dim, const float* x, const std::int32_t* labels,
                                const float* centers, double value_scale, float grad_scale, float* dx,
                                double* value);
    // m_j -= gamma sum_{i: label_i = j} (m_j - x_i) / (1 + n_j).
    static void center_update(std::size_t rows, std::size_t dim, const float* x, const std::int32_t* labels,
                              float gamma, float* centers);
    // sum (y - t)^2; dy = grad_scale (y - t).
    static void squared_difference(std::size_t n, const float* y, const float* t, double value_scale,
                                   float grad_scale, float* dy, double* value);
};

} // namespace jhr::backends
