// jhr/backends/reference/dense.hpp: row-major GEMM (Eigen) and the row/column helpers that
// inner-product layers need.
#pragma once

#include "jhr/core/geometry.hpp"

#include <Eigen/Core>

namespace jhr::backends {

struct host_dense {
    using matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

    // C (m x n) = alpha * op(A) * op(B) + beta * C; A is m x k (k x m if trans_a), B is k x n
    // (n x k if trans_b); all row-major and densely packed. beta == 0 ignores C's old contents.
    static void gemm(const gemm_geometry& g, float alpha, const float* a, const float* b, float beta, float* c) {
        Eigen::Map<const matrix> am(a, g.trans_a ? g.k : g.m, g.trans_a ? g.m : g.k);
        Eigen::Map<const matrix> bm(b, g.trans_b ? g.n : g.k, g.trans_b ? g.k : g.n);
        Eigen::Map<matrix> cm(c, g.m, g.n);
        if (beta == 0.0f) cm.setZero();
        else if (beta != 1.0f) cm *= beta;
        if (g.trans_a && g.trans_b) cm.noalias() += alpha * am.transpose() * bm.transpose();
        else if (g.trans_a) cm.noalias() += alpha * am.transpose() * bm;
        else if (g.trans_b) cm.noalias() += alpha * am * bm.transpose();
        else cm.noalias() += alpha * am * bm;
    }
    // y[r, c] += v[c] for r < rows, c < cols.
    static void add_row_vector(std::size_t rows, std::size_t cols, const float* v, float* y) {
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t c = 0; c < cols; ++c) y[r * cols + c] += v[c];
    }
    // out[c] = sum_r x[r, c] (written, not accumulated).
    static void sum_rows(std::size_t rows, std::size_t cols, const float* x, float* out) {
        for (std::size_t c = 0; c < cols; ++c) {
            double s = 0;
            for (std::size_t r = 0; r < rows; ++r) s += x[r * cols + c];
            out[c] = float(s);
        }
    }
};

} // namespace jhr::backends
