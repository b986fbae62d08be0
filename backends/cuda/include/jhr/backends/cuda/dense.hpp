// jhr/backends/cuda/dense.hpp: row-major GEMM on cuBLAS and the row/column helpers.
//
// gemm: C (m x n) = alpha op(A) op(B) + beta C, all row-major and densely packed, computed as the
// column-major product C^T = op(B)^T op(A)^T with cublasSgemm; beta == 0 ignores C's old contents.
// At fp32 precision (the default) cuBLAS uses CUBLAS_DEFAULT_MATH, which keeps fp32 products in
// fp32 (no TF32), also at bf16; at tf32 CUBLAS_TF32_TENSOR_OP_MATH (cuda/precision.hpp).
// add_row_vector: y[r, c] += v[c]. sum_rows: out[c] = sum_r x[r, c], written, summed in double.
#pragma once

#include "jhr/core/geometry.hpp"

#include <cstddef>

namespace jhr::backends {

struct cuda_dense {
    static void gemm(const gemm_geometry& g, float alpha, const float* a, const float* b, float beta,
                     float* c);
    static void add_row_vector(std::size_t rows, std::size_t cols, const float* v, float* y);
    static void sum_rows(std::size_t rows, std::size_t cols, const float* x, float* out);
};

} // namespace jhr::backends
