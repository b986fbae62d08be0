// jhr/backends/cuda/loss.hpp: loss kernels and the center update.
#include "jhr/backends/cuda/loss.hpp"

#include "launch.cuh"

namespace jhr::backends {
namespace {

using cuda_detail::block_size;
using cuda_detail::block_sum;
using cuda_detail::reduce_to_device;

// The maximum of value over the block, returned to every thread.
__device__ float block_max(float value) {
    __shared__ float partial[block_size];
    partial[threadIdx.x] = value;
    __syncthreads();
    for (int stride = block_size / 2; stride > 0; stride /= 2) {
        if (int(threadIdx.x) < stride)
            partial[threadIdx.x] = fmaxf(partial[threadIdx.x], partial[threadIdx.x + stride]);
        __syncthreads();
    }
    const float top = partial[0];
    __syncthreads();
    return top;
}

// One block per row: row_loss[r] = -log softmax(z_r)[label_r], and the gradient row when wanted.
// Exponentials and sums in double, as the reference.
__global__ void softmax_cross_entropy_kernel(std::size_t classes, const float* logits,
                                             const std::int32_t* labels, float grad_scale, float* dlogits,
                                             double* row_loss) {
    const std::size_t r = blockIdx.x;
    const float* z = logits + r * classes;
    float top = -INFINITY;
    for (std::size_t c = threadIdx.x; c < classes; c += blockDim.x) top = fmaxf(top, z[c]);
    top = block_max(top);
    double denom = 0;
    for (std::size_t c = threadIdx.x; c < classes; c += blockDim.x) denom += exp(double(z[c]) - top);
    const double log_denom = log(block_sum(denom));
    const std::int32_t label = labels[r];
    if (threadIdx.x == 0) row_loss[r] = -(double(z[label]) - top - log_denom);
    if (!dlogits) return;
    for (std::size_t c = threadIdx.x; c < classes; c += blockDim.x) {
        const double p = exp(double(z[c]) - top - log_denom);
        dlogits[r * classes + c] = float(grad_scale * (p - (std::int32_t(c) == label ? 1.0 : 0.0)));
    }
}

struct row_loss_term {
    const double* row_loss;
    __device__ double operator()(std::size_t r) const { return row_loss[r]; }
};

// Each element once: writes the gradient (when wanted) and returns the element's loss.
struct center_distance_term {
    std::size_t dim;
    const float* x;
    const std::int32_t* labels;
    const float* centers;
    float grad_scale;
    float* dx;
    __device__ double operator()(std::size_t i) const {
        const std::size_t r = i / dim, d = i % dim;
        const float diff = x[i] - centers[std::size_t(labels[r]) * dim + d];
        if (dx) dx[i] = grad_scale * diff;
        return 0.5 * double(diff) * diff;
    }
};

struct squared_difference_term {
    const float *y, *t;
    float grad_scale;
    float* dy;
    __device__ double operator()(std::size_t i) const {
        const float diff = y[i] - t[i];
        if (dy) dy[i] = grad_scale * diff;
        return double(diff) * diff;
    }
};

// One thread per (row, dimension) for the first row of each label in the batch: that thread alone
// reads and writes its center coordinate, so every delta uses the centers from before the call.
struct center_update_op {
    std::size_t rows, dim;
    const float* x;
    const std::int32_t* labels;
    float gamma;
    float* centers;
    __device__ void operator()(std::size_t i) const {
        const std::size_t r = i / dim, d = i % dim;
        const std::int32_t j = labels[r];
        for (std::size_t earlier = 0; earlier < r; ++earlier)
            if (labels[earlier] == j) return;
        float* m = centers + std::size_t(j) * dim + d;
        double delta = 0;
        int count = 0;
        for (std::size_t k = r; k < rows; ++k) {
            if (labels[k] != j) continue;
            ++count;
            delta += double(*m) - x[k * dim + d];
        }
        *m -= float(gamma * delta / (1.0 + count));
    }
};

} // namespace

void cuda_loss::softmax_cross_entropy(std::size_t rows, std::size_t classes, const float* logits,
                                      const std::int32_t* labels, double value_scale, float grad_scale,
                                      float* dlogits, double* value) {
    cuda_buffer<double> row_loss(rows);
    if (rows > 0)
        JHR_CUDA_LAUNCH(softmax_cross_entropy_kernel, unsigned(rows), block_size, classes, logits, labels,
                        grad_scale, dlogits, row_loss.data());
    reduce_to_device(rows, row_loss_term{row_loss.data()}, value_scale, value);
}

void cuda_loss::center_distance(std::size_t rows, std::size_t dim, const float* x, const std::int32_t* labels,
                                const float* centers, double value_scale, float grad_scale, float* dx,
                                double* value) {
    reduce_to_device(rows * dim, center_distance_term{dim, x, labels, centers, grad_scale, dx}, value_scale,
                     value);
}

void cuda_loss::center_update(std::size_t rows, std::size_t dim, const float* x, const std::int32_t* labels,
                              float gamma, float* centers) {
    cuda_detail::for_each(rows * dim, center_update_op{rows, dim, x, labels, gamma, centers});
}

void cuda_loss::squared_difference(std::size_t n, const float* y, const float* t, double value_scale,
                                   float grad_scale, float* dy, double* value) {
    reduce_to_device(n, squared_difference_term{y, t, grad_scale, dy}, value_scale, value);
}

} // namespace jhr::backends
