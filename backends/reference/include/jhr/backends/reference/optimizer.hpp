// jhr/backends/reference/optimizer.hpp: the SGD-with-momentum update on the host, Caffe's form:
//   v = momentum * v + lr * (dw + weight_decay * w);  w -= v.
#pragma once

#include <cstddef>

namespace jhr::backends {

struct host_optimizer {
    static void sgd_momentum_update(std::size_t n, float lr, float momentum, float weight_decay, float* w,
                                    const float* dw, float* velocity) {
        for (std::size_t i = 0; i < n; ++i) {
            velocity[i] = momentum * velocity[i] + lr * (dw[i] + weight_decay * w[i]);
            w[i] -= velocity[i];
        }
    }
};

} // namespace jhr::backends
