// jhr/backends/cuda/dense.hpp: cuBLAS GEMM and the row/column kernels.
#include "jhr/backends/cuda/arithmetic.hpp"
#include "jhr/backends/cuda/dense.hpp"

#include "context.hpp"
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

// Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: a row-major matrix read as
// column-major is its transpose, so B and A are passed in swapped order with their own transposes.
void cuda_dense::gemm(const gemm_geometry& g, float alpha, const float* a, const float* b, float beta,
                      float* c) {
    if (g.m == 0 || g.n == 0) return;
    if (g.k == 0) { // C = beta C, which cuBLAS is not relied on to write for an empty inner dimension
        const std::size_t mn = std::size_t(g.m) * std::size_t(g.n);
        if (beta == 0.0f)
            JHR_CUDA_CHECK(cudaMemset(c, 0, mn * sizeof(float)));
        else if (beta != 1.0f)
            cuda_arithmetic::scale(mn, beta, c);
        return;
    }
    const cublasOperation_t op_a = g.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t op_b = g.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
    const int lda = g.trans_a ? g.m : g.k, ldb = g.trans_b ? g.k : g.n;
    JHR_CUBLAS_CHECK(cuda_detail::blas().sgemm(
        cuda_detail::this_thread().cublas(cuda_precision_control::precision()), op_b, op_a, g.n, g.m, g.k,
        &alpha, b, std::max(ldb, 1), a, std::max(lda, 1), &beta, c, g.n));
}

void cuda_dense::add_row_vector(std::size_t rows, std::size_t cols, const float* v, float* y) {
    cuda_detail::for_each(rows * cols, add_row_vector_op{cols, v, y});
}

void cuda_dense::sum_rows(std::size_t rows, std::size_t cols, const float* x, float* out) {
    if (cols == 0) return;
    sum_rows_kernel<<<unsigned((cols + cuda_detail::block_size - 1) / cuda_detail::block_size),
                      cuda_detail::block_size>>>(rows, cols, x, out);
    JHR_CUDA_CHECK_LAUNCH(sum_rows_kernel);
}

} // namespace jhr::backends
