// jhr/backends/reference/convolution.hpp: convolution and max pooling on the host.
//
// Convolution is written as im2col (one sample's patches laid out as columns) followed by a GEMM
// in Eigen: the plainest formulation whose speed is still usable for small training runs.
// Max pooling is a direct loop; its workspace records, per output, the flat input index of the
// maximum (first maximum in row-major window order wins), stored as float.
#pragma once

#include "jhr/core/geometry.hpp"

#include <Eigen/Core>

#include <limits>
#include <vector>

namespace jhr::backends {

struct host_convolution {
    using matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using matrix_map = Eigen::Map<matrix>;
    using const_matrix_map = Eigen::Map<const matrix>;

    // cols[(c*k + i)*k + j, oy*ow + ox] = x[c, oy*stride + i - pad, ox*stride + j - pad] (0 outside).
    static void im2col(const conv2d_geometry& g, const float* x, float* cols) {
        const int oh = g.out_height(), ow = g.out_width(), k = g.kernel;
        for (int c = 0; c < g.in_channels; ++c)
            for (int i = 0; i < k; ++i)
                for (int j = 0; j < k; ++j) {
                    float* row = cols + (std::size_t(c * k + i) * k + j) * oh * ow;
                    for (int oy = 0; oy < oh; ++oy) {
                        const int iy = oy * g.stride + i - g.pad;
                        for (int ox = 0; ox < ow; ++ox) {
                            const int ix = ox * g.stride + j - g.pad;
                            const bool inside = iy >= 0 && iy < g.in_height && ix >= 0 && ix < g.in_width;
                            row[oy * ow + ox] =
                                inside ? x[(std::size_t(c) * g.in_height + iy) * g.in_width + ix] : 0.0f;
                        }
                    }
                }
    }
    // The adjoint of im2col: dx[c, iy, ix] = sum of the columns entries that read it.
    static void col2im(const conv2d_geometry& g, const float* cols, float* dx) {
        const int oh = g.out_height(), ow = g.out_width(), k = g.kernel;
        std::fill(dx, dx + std::size_t(g.in_channels) * g.in_height * g.in_width, 0.0f);
        for (int c = 0; c < g.in_channels; ++c)
            for (int i = 0; i < k; ++i)
                for (int j = 0; j < k; ++j) {
                    const float* row = cols + (std::size_t(c * k + i) * k + j) * oh * ow;
                    for (int oy = 0; oy < oh; ++oy) {
                        const int iy = oy * g.stride + i - g.pad;
                        if (iy < 0 || iy >= g.in_height) continue;
                        for (int ox = 0; ox < ow; ++ox) {
                            const int ix = ox * g.stride + j - g.pad;
                            if (ix < 0 || ix >= g.in_width) continue;
                            dx[(std::size_t(c) * g.in_height + iy) * g.in_width + ix] += row[oy * ow + ox];
                        }
                    }
                }
    }

    // y[n] = W * im2col(x[n]) + b
    static void conv2d_forward(const conv2d_geometry& g, const float* x, const float* w, const float* b,
                               float* y) {
        expect_nchw(g, "reference", "conv2d_forward");
        const int patch = g.in_channels * g.kernel * g.kernel, pixels = g.out_height() * g.out_width();
        std::vector<float> cols(std::size_t(patch) * pixels);
        const_matrix_map wm(w, g.out_channels, patch);
        for (int n = 0; n < g.batch; ++n) {
            im2col(g, x + n * g.input().sample_size(), cols.data());
            matrix_map yn(y + n * g.output().sample_size(), g.out_channels, pixels);
            yn.noalias() = wm * const_matrix_map(cols.data(), patch, pixels);
            if (b)
                for (int o = 0; o < g.out_channels; ++o) yn.row(o).array() += b[o];
        }
    }
    // dx[n] = col2im(W^T * dy[n])
    static void conv2d_backward_data(const conv2d_geometry& g, const float* w, const float* dy, float* dx) {
        expect_nchw(g, "reference", "conv2d_backward_data");
        const int patch = g.in_channels * g.kernel * g.kernel, pixels = g.out_height() * g.out_width();
        std::vector<float> cols(std::size_t(patch) * pixels);
        const_matrix_map wm(w, g.out_channels, patch);
        for (int n = 0; n < g.batch; ++n) {
            matrix_map(cols.data(), patch, pixels).noalias() =
                wm.transpose() * const_matrix_map(dy + n * g.output().sample_size(), g.out_channels, pixels);
            col2im(g, cols.data(), dx + n * g.input().sample_size());
        }
    }
    // dW = sum_n dy[n] * im2col(x[n])^T, db = sum_n sum_pixels dy[n]
    static void conv2d_backward_weights(const conv2d_geometry& g, const float* x, const float* dy, float* dw,
                                        float* db) {
        expect_nchw(g, "reference", "conv2d_backward_weights");
        const int patch = g.in_channels * g.kernel * g.kernel, pixels = g.out_height() * g.out_width();
        std::vector<float> cols(std::size_t(patch) * pixels);
        matrix_map dwm(dw, g.out_channels, patch);
        dwm.setZero();
        if (db) std::fill(db, db + g.out_channels, 0.0f);
        for (int n = 0; n < g.batch; ++n) {
            im2col(g, x + n * g.input().sample_size(), cols.data());
            const_matrix_map dyn(dy + n * g.output().sample_size(), g.out_channels, pixels);
            dwm.noalias() += dyn * const_matrix_map(cols.data(), patch, pixels).transpose();
            if (db)
                for (int o = 0; o < g.out_channels; ++o) db[o] += dyn.row(o).sum();
        }
    }

    static std::size_t max_pool2d_workspace(const pool2d_geometry& g) { return g.output().size(); }

    static void max_pool2d_forward(const pool2d_geometry& g, const float* x, float* y, float* workspace) {
        expect_nchw(g, "reference", "max_pool2d_forward");
        const int oh = g.out_height(), ow = g.out_width();
        for (int plane = 0; plane < g.batch * g.channels; ++plane) {
            const float* xp = x + std::size_t(plane) * g.in_height * g.in_width;
            for (int oy = 0; oy < oh; ++oy)
                for (int ox = 0; ox < ow; ++ox) {
                    float best = -std::numeric_limits<float>::infinity();
                    int best_index = 0;
                    for (int i = 0; i < g.window; ++i)
                        for (int j = 0; j < g.window; ++j) {
                            const int index = (oy * g.stride + i) * g.in_width + ox * g.stride + j;
                            if (xp[index] > best) best = xp[index], best_index = index;
                        }
                    const std::size_t out = (std::size_t(plane) * oh + oy) * ow + ox;
                    y[out] = best;
                    workspace[out] = float(best_index);
                }
        }
    }
    static void max_pool2d_backward(const pool2d_geometry& g, const float* workspace, const float* dy,
                                    float* dx) {
        expect_nchw(g, "reference", "max_pool2d_backward");
        const std::size_t plane_in = std::size_t(g.in_height) * g.in_width;
        const std::size_t plane_out = std::size_t(g.out_height()) * g.out_width();
        std::fill(dx, dx + g.input().size(), 0.0f);
        for (std::size_t plane = 0; plane < std::size_t(g.batch) * g.channels; ++plane)
            for (std::size_t o = 0; o < plane_out; ++o)
                dx[plane * plane_in + std::size_t(workspace[plane * plane_out + o])] +=
                    dy[plane * plane_out + o];
    }
};

} // namespace jhr::backends
