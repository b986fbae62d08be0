// Element-wise kernels: jhr/backends/cuda/arithmetic.hpp and jhr/backends/cuda/optimizer.hpp.
#include "jhr/backends/cuda/arithmetic.hpp"
#include "jhr/backends/cuda/optimizer.hpp"

#include "launch.cuh"

namespace jhr::backends {
namespace {

struct fill_op {
    float value;
    float* y;
    __device__ void operator()(std::size_t i) const { y[i] = value; }
};
struct add_op {
    const float *a, *b;
    float* y;
    __device__ void operator()(std::size_t i) const { y[i] = a[i] + b[i]; }
};
struct scale_op {
    float alpha;
    float* x;
    __device__ void operator()(std::size_t i) const { x[i] *= alpha; }
};
struct axpy_op {
    float alpha;
    const float* x;
    float* y;
    __device__ void operator()(std::size_t i) const { y[i] += alpha * x[i]; }
};
struct value_term {
    const float* x;
    __device__ double operator()(std::size_t i) const { return x[i]; }
};
struct product_term {
    const float *x, *y;
    __device__ double operator()(std::size_t i) const { return double(x[i]) * double(y[i]); }
};
struct sgd_momentum_op {
    float lr, momentum, weight_decay;
    float* w;
    const float* dw;
    float* velocity;
    __device__ void operator()(std::size_t i) const {
        const float v = momentum * velocity[i] + lr * (dw[i] + weight_decay * w[i]);
        velocity[i] = v;
        w[i] -= v;
    }
};

} // namespace

using cuda_detail::for_each;
using cuda_detail::reduce_to_host;

void cuda_arithmetic::fill(std::size_t n, float value, float* y) {
    for_each(n, fill_op{value, y});
}
void cuda_arithmetic::add(std::size_t n, const float* a, const float* b, float* y) {
    for_each(n, add_op{a, b, y});
}
void cuda_arithmetic::scale(std::size_t n, float alpha, float* x) {
    for_each(n, scale_op{alpha, x});
}
void cuda_arithmetic::axpy(std::size_t n, float alpha, const float* x, float* y) {
    for_each(n, axpy_op{alpha, x, y});
}
double cuda_arithmetic::sum(std::size_t n, const float* x) {
    return reduce_to_host(n, value_term{x});
}
double cuda_arithmetic::dot(std::size_t n, const float* x, const float* y) {
    return reduce_to_host(n, product_term{x, y});
}

void cuda_optimizer::sgd_momentum_update(std::size_t n, float lr, float momentum, float weight_decay,
                                         float* w, const float* dw, float* velocity) {
    for_each(n, sgd_momentum_op{lr, momentum, weight_decay, w, dw, velocity});
}

} // namespace jhr::backends
