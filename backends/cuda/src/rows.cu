// jhr/backends/cuda/dense.hpp: the row and column kernels (GEMM: gemm.cpp).
#include "jhr/backends/cuda/dense.hpp"

#include "launch.cuh"

namespace jhr::backends {
namespace {

struct add_row_vector_op {
    std::size_t cols;
    const float* v;
    float* y;
    __device__ void operator()(std::size_t i) const { y[i] += v[i % cols]; }
};

// One thread per column; consecutive threads read consecutive columns of a row.
__global__ void sum_rows_kernel(std::size_t rows, std::size_t cols, const float* x, float* out) {
    const std::size_t c = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x;
    if (c >= cols) return;
    double s = 0;
    for (std::size_t r = 0; r < rows; ++r) s += x[r * cols + c];
    out[c] = float(s);
}

} // namespace

void cuda_dense::add_row_vector(std::size_t rows, std::size_t cols, const float* v, float* y) {
    cuda_detail::for_each(rows * cols, add_row_vector_op{cols, v, y});
}

void cuda_dense::sum_rows(std::size_t rows, std::size_t cols, const float* x, float* out) {
    if (cols == 0) return;
    JHR_CUDA_LAUNCH(sum_rows_kernel, unsigned((cols + cuda_detail::block_size - 1) / cuda_detail::block_size),
                    cuda_detail::block_size, rows, cols, x, out);
}

} // namespace jhr::backends
