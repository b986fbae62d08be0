// Where nchw and nhwc put a tensor's elements (private): whether two layouts place them alike, the
// check that a layout is one the backend takes, and the conversion on the host (for the host
// execution's stand-ins and for the values the GPU tests expect).
#pragma once

#include "jhr/core/error.hpp"
#include "jhr/core/layout.hpp"
#include "jhr/core/shape.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace jhr::backends::cuda_detail {

// Whether layouts a and b of a tensor of shape s put its elements in the same places (they are equal,
// or s has one channel, or one pixel).
inline bool same_placement(const shape& s, layout a, layout b) {
    return a == b || s.c == 1 || s.h * s.w == 1;
}

// Throws backend_error "<what>: cuda takes nchw or nhwc tensors, got <l>" unless l is one of them.
inline void expect_nchw_or_nhwc(layout l, std::string_view what) {
    if (l != layout::nchw && l != layout::nhwc)
        throw backend_error(std::string(what) + ": cuda takes nchw or nhwc tensors, got " +
                            std::string(name(l)));
}

// y = x (of shape s, nchw or nhwc) stored in layout `to` instead of `from`, on the host.
inline void relayout_on_host(const shape& s, layout from, const float* x, layout to, float* y) {
    if (same_placement(s, from, to)) return void(std::copy(x, x + s.size(), y));
    const std::size_t c = std::size_t(s.c), hw = std::size_t(s.h) * std::size_t(s.w);
    for (std::size_t n = 0; n < std::size_t(s.n); ++n)
        for (std::size_t k = 0; k < c; ++k)
            for (std::size_t p = 0; p < hw; ++p) {
                const std::size_t nchw = (n * c + k) * hw + p, nhwc = (n * hw + p) * c + k;
                if (from == layout::nchw)
                    y[nhwc] = x[nchw];
                else
                    y[nchw] = x[nhwc];
            }
}

} // namespace jhr::backends::cuda_detail
