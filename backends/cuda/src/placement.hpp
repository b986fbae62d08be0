// Where nchw, nhwc and nhwc_bf16 put a tensor's elements (private): whether two layouts store them
// alike, the check that a layout is one the backend takes, and the conversion on the host (for the
// host execution's stand-ins and for the values the tests expect).
#pragma once

#include "jhr/core/error.hpp"
#include "jhr/core/geometry.hpp"
#include "jhr/core/layout.hpp"
#include "jhr/core/precision.hpp"
#include "jhr/core/shape.hpp"

#include "bfloat16.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace jhr::backends::cuda_detail {

// Whether layouts a and b of a tensor of shape s store its elements alike: in the same encoding and
// places (they are equal, or s has one channel, or one pixel).
inline bool same_placement(const shape& s, layout a, layout b) {
    return bfloat16_elements(a) == bfloat16_elements(b) && (a == b || s.c == 1 || s.h * s.w == 1);
}

// Throws backend_error "<what>: cuda takes nchw, nhwc or nhwc-bf16 tensors, got <l>" unless l is
// one of them.
inline void expect_cuda_layout(layout l, std::string_view what) {
    if (l != layout::nchw && l != layout::nhwc && l != layout::nhwc_bf16)
        throw backend_error(std::string(what) + ": cuda takes nchw, nhwc or nhwc-bf16 tensors, got " +
                            std::string(name(l)));
}

// Throws backend_error naming `function` unless g's layouts are the backend's and its output is fp32
// unless the precision is bf16 (nhwc_bf16 outputs are convolutions at bf16; an nhwc_bf16 input is
// widened at the other precisions).
inline void expect_convolution_layouts(const conv2d_geometry& g, precision p, std::string_view function) {
    expect_cuda_layout(g.src_layout, function);
    expect_cuda_layout(g.dst_layout, function);
    if (bfloat16_elements(g.dst_layout) && p != precision::bf16)
        throw backend_error("cuda " + std::string(function) + ": " + describe(g) +
                            " writes bfloat16, which needs precision bf16 (the precision is " +
                            std::string(name(p)) + ")");
}

// y = x (of shape s) stored in layout `to` instead of `from` (nchw, nhwc or nhwc_bf16), on the host.
inline void relayout_on_host(const shape& s, layout from, const float* x, layout to, float* y) {
    if (same_placement(s, from, to)) return void(std::copy(x, x + storage_floats(from, s.size()), y));
    const auto* x16 = reinterpret_cast<const bfloat16_bits*>(x);
    auto* y16 = reinterpret_cast<bfloat16_bits*>(y);
    const std::size_t c = std::size_t(s.c), hw = std::size_t(s.h) * std::size_t(s.w);
    for (std::size_t n = 0; n < std::size_t(s.n); ++n)
        for (std::size_t k = 0; k < c; ++k)
            for (std::size_t p = 0; p < hw; ++p) {
                const std::size_t nchw = (n * c + k) * hw + p, nhwc = (n * hw + p) * c + k;
                const std::size_t i = from == layout::nchw ? nchw : nhwc,
                                  o = to == layout::nchw ? nchw : nhwc;
                const float v = bfloat16_elements(from) ? from_bfloat16(x16[i]) : x[i];
                if (bfloat16_elements(to))
                    y16[o] = to_bfloat16(v);
                else
                    y[o] = v;
            }
}

} // namespace jhr::backends::cuda_detail
