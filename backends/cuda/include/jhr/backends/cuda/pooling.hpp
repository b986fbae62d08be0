// jhr/backends/cuda/pooling.hpp: 2-d max pooling on the GPU (own kernels, not cuDNN).
//
// Same contract as the reference: the workspace holds, per output, the flat index within its
// input plane of the window's maximum (first maximum in row-major window order wins), stored as
// float; backward reads only that workspace, so forward must have run on the same input first.
// Backward gathers (each input element sums the outputs that chose it) rather than scattering with
// atomics, so its result is deterministic for overlapping windows too. Tensors may be nchw or nhwc
// (g.data_layout); the workspace's indices are within a plane either way.
#pragma once

#include "jhr/core/geometry.hpp"

#include <cstddef>

namespace jhr::backends {

struct cuda_pooling {
    static std::size_t max_pool2d_workspace(const pool2d_geometry& g) { return g.output().size(); }
    static void max_pool2d_forward(const pool2d_geometry& g, const float* x, float* y, float* workspace);
    static void max_pool2d_backward(const pool2d_geometry& g, const float* workspace, const float* dy,
                                    float* dx);
};

} // namespace jhr::backends
