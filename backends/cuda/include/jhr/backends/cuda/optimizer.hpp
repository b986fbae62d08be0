// jhr/backends/cuda/optimizer.hpp: the SGD-with-momentum update on the GPU, Caffe's form:
//   v = momentum v + lr (dw + weight_decay w);  w -= v.
// sgd_momentum_update_all (BatchedSgd) updates every listed tensor with one kernel: the list is
// uploaded (staged, as upload is) and each thread finds its tensor by binary search over their
// offsets; every element is computed as sgd_momentum_update computes it.
#pragma once

#include "jhr/core/geometry.hpp"

#include <cstddef>
#include <span>

namespace jhr::backends {

struct cuda_optimizer {
    static void sgd_momentum_update(std::size_t n, float lr, float momentum, float weight_decay, float* w,
                                    const float* dw, float* velocity);
    static void sgd_momentum_update_all(std::span<const sgd_parameter> parameters, float momentum);
};

} // namespace jhr::backends
