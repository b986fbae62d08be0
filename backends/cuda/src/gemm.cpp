// jhr/backends/cuda/dense.hpp: GEMM on cuBLAS (the row and column kernels: rows.cu).
#include "jhr/backends/cuda/arithmetic.hpp"
#include "jhr/backends/cuda/dense.hpp"

#include "capture.hpp"
#include "context.hpp"
#include "device_calls.hpp"
#include "library_check.hpp"

#include <algorithm>
#include <cstddef>

namespace jhr::backends {

// Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: a row-major matrix read as
// column-major is its transpose, so B and A are passed in swapped order with their own transposes.
void cuda_dense::gemm(const gemm_geometry& g, float alpha, const float* a, const float* b, float beta,
                      float* c) {
    if (g.m == 0 || g.n == 0) return;
    if (g.k == 0) { // C = beta C, which cuBLAS is not relied on to write for an empty inner dimension
        const std::size_t mn = std::size_t(g.m) * std::size_t(g.n);
        if (beta == 0.0f)
            JHR_CUDA_CHECK(cudaMemsetAsync(c, 0, mn * sizeof(float), cuda_detail::stream()));
        else if (beta != 1.0f)
            cuda_arithmetic::scale(mn, beta, c);
        return;
    }
    const cublasOperation_t op_a = g.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t op_b = g.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
    const int lda = g.trans_a ? g.m : g.k, ldb = g.trans_b ? g.k : g.n;
    cuda_detail::count_device_call();
    JHR_CUBLAS_CHECK(cuda_detail::blas().sgemm(
        cuda_detail::this_thread().cublas(cuda_precision_control::precision()), op_b, op_a, g.n, g.m, g.k,
        &alpha, b, std::max(ldb, 1), a, std::max(lda, 1), &beta, c, g.n));
}

} // namespace jhr::backends
