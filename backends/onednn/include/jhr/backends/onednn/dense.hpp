// jhr/backends/onednn/dense.hpp: GEMM, row-vector broadcast and column sums on oneDNN, with the
// reference semantics:
//   gemm:           C (m x n) = alpha op(A) op(B) + beta C, row-major, densely packed (dnnl_sgemm);
//                   beta == 0 ignores C's old contents.
//   add_row_vector: y[r, c] += v[c] (binary add, in place, v broadcast over rows).
//   sum_rows:       out[c] = sum_r x[r, c], written (dnnl_sgemm with a row of ones).
#pragma once

#include "jhr/backends/onednn/context.hpp"

#include <algorithm>
#include <vector>

namespace jhr::backends {

struct onednn_dense {
    static void gemm(const gemm_geometry& g, float alpha, const float* a, const float* b, float beta,
                     float* c) {
        if (g.m == 0 || g.n == 0) return;
        const std::size_t size = std::size_t(g.m) * std::size_t(g.n);
        if (g.k == 0) {
            if (beta == 0.0f)
                std::fill(c, c + size, 0.0f);
            else
                std::for_each(c, c + size, [beta](float& v) { v *= beta; });
            return;
        }
        if (beta == 0.0f) std::fill(c, c + size, 0.0f);
        onednn_detail::guarded("gemm", g, [&] {
            const dnnl_status_t status =
                dnnl_sgemm(g.trans_a ? 'T' : 'N', g.trans_b ? 'T' : 'N', g.m, g.n, g.k, alpha, a,
                           g.trans_a ? g.m : g.k, b, g.trans_b ? g.k : g.n, beta, c, g.n);
            if (status != dnnl_success) throw dnnl::error(status, "dnnl_sgemm");
        });
    }

    static void add_row_vector(std::size_t rows, std::size_t cols, const float* v, float* y) {
        if (rows == 0 || cols == 0) return;
        onednn_detail::guarded("add_row_vector", onednn_detail::matrix_size{rows, cols}, [&] {
            auto& entry = onednn_detail::lookup(key(row_vector, rows, cols), [&] {
                return binary_add(matrix_md(rows, cols), matrix_md(1, cols), matrix_md(rows, cols));
            });
            onednn_detail::run(entry, {{DNNL_ARG_SRC_0, y}, {DNNL_ARG_SRC_1, v}, {DNNL_ARG_DST, y}});
        });
    }

    // oneDNN 2.6 runs this reduction on its reference kernel (milliseconds for 16 x 512), so it is
    // a GEMM with a cached row of ones instead: out = ones[1 x rows] * x[rows x cols].
    static void sum_rows(std::size_t rows, std::size_t cols, const float* x, float* out) {
        if (cols == 0) return;
        if (rows == 0) {
            std::fill(out, out + cols, 0.0f);
            return;
        }
        thread_local std::vector<float> ones;
        if (ones.size() < rows) ones.assign(rows, 1.0f);
        gemm({false, false, 1, int(cols), int(rows)}, 1.0f, ones.data(), x, 0.0f, out);
    }

private:
    enum kind { row_vector = 400 };
    using md = dnnl::memory::desc;

    static onednn_detail::cache_key key(kind k, std::size_t rows, std::size_t cols) {
        return {k, {std::int64_t(rows), std::int64_t(cols)}};
    }
    static md matrix_md(std::size_t rows, std::size_t cols) {
        return onednn_detail::plain({dnnl::memory::dim(rows), dnnl::memory::dim(cols)},
                                    onednn_detail::tag::ab);
    }

    static onednn_detail::cached_primitive binary_add(const md& src0, const md& src1, const md& dst) {
        const auto algo = dnnl::algorithm::binary_add;
#if DNNL_VERSION_MAJOR >= 3
        const dnnl::binary::primitive_desc pd(onednn_detail::engine(), algo, src0, src1, dst,
                                              onednn_detail::user_scratchpad());
#else
        const dnnl::binary::desc desc(algo, src0, src1, dst);
        const dnnl::binary::primitive_desc pd(desc, onednn_detail::user_scratchpad(),
                                              onednn_detail::engine());
#endif
        onednn_detail::primitive_builder build;
        build.argument(DNNL_ARG_SRC_0, src0, pd.src_desc(0), true);
        build.argument(DNNL_ARG_SRC_1, src1, pd.src_desc(1), true);
        build.argument(DNNL_ARG_DST, dst, pd.dst_desc(), false);
        return build.finish(dnnl::binary(pd), pd.scratchpad_desc());
    }
};

} // namespace jhr::backends
