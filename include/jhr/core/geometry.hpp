// jhr/core/geometry.hpp: the plain descriptors a backend primitive receives.
//
// Layers check shapes and then hand these descriptors and raw buffer pointers to the backend, so
// every backend implements the same small, shape-free contract. Output sizes use floor division
// (PyTorch's convention; Caffe's pooling rounds up). The layout fields say how the activations
// are stored (core/layout.hpp); backends without BlockedLayouts accept only nchw.
#pragma once

#include "jhr/core/layout.hpp"
#include "jhr/core/shape.hpp"

#include <string>
#include <string_view>

namespace jhr {

// 2-d convolution, cross-correlation as in every framework: y = conv(x, w) + b.
// x: [batch, in_channels, in_height, in_width], w: [out_channels, in_channels, kernel, kernel],
// b: [out_channels], y: [batch, out_channels, out_height(), out_width()]. Square kernel, same
// stride and zero padding on both axes.
struct conv2d_geometry {
    int batch = 0, in_channels = 0, in_height = 0, in_width = 0;
    int out_channels = 0, kernel = 1, stride = 1, pad = 0;
    layout src_layout = layout::nchw, dst_layout = layout::nchw; // x and dx; y and dy

    constexpr int out_height() const { return (in_height + 2 * pad - kernel) / stride + 1; }
    constexpr int out_width() const { return (in_width + 2 * pad - kernel) / stride + 1; }
    constexpr shape input() const { return {batch, in_channels, in_height, in_width}; }
    constexpr shape output() const { return {batch, out_channels, out_height(), out_width()}; }
    constexpr shape weight() const { return {out_channels, in_channels, kernel, kernel}; }
    constexpr bool operator==(const conv2d_geometry&) const = default;
};

// Max pooling over window x window patches with the given stride, no padding.
struct pool2d_geometry {
    int batch = 0, channels = 0, in_height = 0, in_width = 0;
    int window = 2, stride = 2;
    layout data_layout = layout::nchw; // of x, y, dx and dy

    constexpr int out_height() const { return (in_height - window) / stride + 1; }
    constexpr int out_width() const { return (in_width - window) / stride + 1; }
    constexpr shape input() const { return {batch, channels, in_height, in_width}; }
    constexpr shape output() const { return {batch, channels, out_height(), out_width()}; }
    constexpr bool operator==(const pool2d_geometry&) const = default;
};

// A per-channel operation over [batch, channels, spatial] (spatial = h * w).
struct channel_geometry {
    int batch = 0, channels = 0, spatial = 1;
    layout data_layout = layout::nchw;

    constexpr std::size_t size() const {
        return std::size_t(batch) * std::size_t(channels) * std::size_t(spatial);
    }
    constexpr bool operator==(const channel_geometry&) const = default;
};

// Row-major matrix multiply C = alpha * op(A) * op(B) + beta * C, op(A): m x k, op(B): k x n.
struct gemm_geometry {
    bool trans_a = false, trans_b = false;
    int m = 0, n = 0, k = 0;
    constexpr bool operator==(const gemm_geometry&) const = default;
};

// One parameter tensor of a batched SGD step (BatchedSgd, core/backend.hpp): `size` weights w, their
// gradients dw and velocities, updated at learning rate lr with weight decay `weight_decay`.
struct sgd_parameter {
    std::size_t size = 0;
    float lr = 0.0f, weight_decay = 0.0f;
    float* w = nullptr;
    const float* dw = nullptr;
    float* velocity = nullptr;
};

// One-line descriptions for error messages and test logs, e.g. "conv2d{input [2, 3, 20, 18],
// weight [4, 3, 9, 9], output [2, 4, 12, 10], kernel 9, stride 1, pad 0}"; a layout other than
// nchw is named after its shape.
namespace detail {
inline void append_layout(std::string& out, layout l) {
    if (l != layout::nchw) out.append(" ").append(name(l));
}
inline void append_shape(std::string& out, std::string_view label, const shape& s, layout l) {
    append_layout(out.append(label).append(s.str()), l);
}
} // namespace detail

inline std::string describe(const conv2d_geometry& g) {
    std::string out = "conv2d{";
    detail::append_shape(out, "input ", g.input(), g.src_layout);
    detail::append_shape(out, ", weight ", g.weight(), layout::nchw);
    detail::append_shape(out, ", output ", g.output(), g.dst_layout);
    return out.append(", kernel ")
        .append(std::to_string(g.kernel))
        .append(", stride ")
        .append(std::to_string(g.stride))
        .append(", pad ")
        .append(std::to_string(g.pad))
        .append("}");
}
inline std::string describe(const pool2d_geometry& g) {
    std::string out = "pool2d{";
    detail::append_shape(out, "input ", g.input(), g.data_layout);
    detail::append_shape(out, ", output ", g.output(), g.data_layout);
    return out.append(", window ")
        .append(std::to_string(g.window))
        .append(", stride ")
        .append(std::to_string(g.stride))
        .append("}");
}
inline std::string describe(const channel_geometry& g) {
    std::string out = "channels{batch ";
    out.append(std::to_string(g.batch))
        .append(", channels ")
        .append(std::to_string(g.channels))
        .append(", spatial ")
        .append(std::to_string(g.spatial));
    detail::append_layout(out, g.data_layout);
    return out.append("}");
}
inline std::string describe(const gemm_geometry& g) {
    std::string out = "gemm{m ";
    out.append(std::to_string(g.m))
        .append(", n ")
        .append(std::to_string(g.n))
        .append(", k ")
        .append(std::to_string(g.k));
    if (g.trans_a) out.append(", A^T");
    if (g.trans_b) out.append(", B^T");
    return out.append("}");
}

// Throws backend_error naming `what` unless every layout in g is nchw: the check of backends
// without BlockedLayouts.
inline void expect_nchw(const conv2d_geometry& g, std::string_view backend, std::string_view what) {
    expect_nchw(g.src_layout, backend, what);
    expect_nchw(g.dst_layout, backend, what);
}
inline void expect_nchw(const pool2d_geometry& g, std::string_view backend, std::string_view what) {
    expect_nchw(g.data_layout, backend, what);
}
inline void expect_nchw(const channel_geometry& g, std::string_view backend, std::string_view what) {
    expect_nchw(g.data_layout, backend, what);
}

} // namespace jhr
