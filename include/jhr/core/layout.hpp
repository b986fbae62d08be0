// jhr/core/layout.hpp: the order of a tensor's NCHW elements in memory.
//
// nchw is plain row-major and what every backend accepts. nchw16c ("nChw16c") stores channels in
// blocks of 16, [N][C/16][H][W][16], and is used only when C % 16 == 0; nhwc stores the channels of
// a pixel together, [N][H][W][C]. The element count is the same in every layout, so element-wise
// operations between tensors of one layout need no conversion. Only backends that declare
// BlockedLayouts (core/backend.hpp) produce the others, and layers convert at the edges:
// tensor::to_host, losses, and a gradient that arrives in another layout than its output's.
#pragma once

#include "jhr/core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace jhr {

enum class layout : std::uint8_t { nchw, nchw16c, nhwc };

constexpr std::string_view name(layout l) {
    return l == layout::nchw ? "nchw" : l == layout::nchw16c ? "nchw16c" : "nhwc";
}

// Whether a tensor with `channels` channels can be stored in layout l.
constexpr bool fits(layout l, int channels) {
    return l != layout::nchw16c || channels % 16 == 0;
}

// Throws backend_error "<what>: <backend> takes only nchw tensors, got <l>" unless l is nchw.
inline void expect_nchw(layout l, std::string_view backend, std::string_view what) {
    if (l != layout::nchw)
        throw backend_error(std::string(what) + ": " + std::string(backend) +
                            " takes only nchw tensors, got " + std::string(name(l)));
}

} // namespace jhr
