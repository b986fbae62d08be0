// jhr/backends/cuda/optimizer.hpp: the SGD-with-momentum update on the GPU, Caffe's form:
//   v = momentum v + lr (dw + weight_decay w);  w -= v.
#pragma once

#include <cstddef>

namespace jhr::backends {

struct cuda_optimizer {
    static void sgd_momentum_update(std::size_t n, float lr, float momentum, float weight_decay, float* w,
                                    const float* dw, float* velocity);
};

} // namespace jhr::backends
