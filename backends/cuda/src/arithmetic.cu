// Element-wise kernels: jhr/backends/cuda/arithmetic.hpp and jhr/backends/cuda/optimizer.hpp.
#include "jhr/backends/cuda/arithmetic.hpp"
#include "jhr/backends/cuda/optimizer.hpp"

#include "launch.cuh"

#include <vector>

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
// Caffe's update of element i of one tensor.
__device__ inline void sgd_element(float lr, float momentum, float weight_decay, float* w, const float* dw,
                                   float* velocity, std::size_t i) {
    const float v = momentum * velocity[i] + lr * (dw[i] + weight_decay * w[i]);
    velocity[i] = v;
    w[i] -= v;
}
struct sgd_momentum_op {
    float lr, momentum, weight_decay;
    float* w;
    const float* dw;
    float* velocity;
    __device__ void operator()(std::size_t i) const {
        sgd_element(lr, momentum, weight_decay, w, dw, velocity, i);
    }
};

// A tensor of a batched update and where its elements start in the concatenation of all of them.
struct sgd_slot {
    std::size_t offset;
    sgd_parameter parameter;
};
// Element i of the concatenation: the tensor is the last slot starting at or before i (slots hold
// no empty tensors, so it is the one holding i).
struct sgd_all_op {
    const sgd_slot* slots;
    std::size_t count;
    float momentum;
    __device__ void operator()(std::size_t i) const {
        std::size_t first = 0, last = count; // slots[first].offset <= i < slots[last].offset (or the end)
        while (last - first > 1) {
            const std::size_t middle = first + (last - first) / 2;
            if (slots[middle].offset <= i)
                first = middle;
            else
                last = middle;
        }
        const sgd_parameter& p = slots[first].parameter;
        sgd_element(p.lr, momentum, p.weight_decay, p.w, p.dw, p.velocity, i - slots[first].offset);
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

void cuda_optimizer::sgd_momentum_update_all(std::span<const sgd_parameter> parameters, float momentum) {
    thread_local std::vector<sgd_slot> slots; // kept, so that a training step allocates no host memory
    slots.clear();
    std::size_t total = 0;
    for (const sgd_parameter& p : parameters)
        if (p.size > 0) {
            slots.push_back({total, p});
            total += p.size;
        }
    if (total == 0) return;
    // Freed at return while the kernel may still be queued: the next user of the block runs after
    // it on the same stream.
    cuda_buffer<sgd_slot> device_slots(slots.size());
    cuda_memory::copy_to_device(device_slots.data(), slots.data(), slots.size() * sizeof(sgd_slot));
    for_each(total, sgd_all_op{device_slots.data(), slots.size(), momentum});
}

} // namespace jhr::backends
