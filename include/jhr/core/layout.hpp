// jhr/core/layout.hpp: how a tensor's NCHW elements are stored: their order in memory and, for
// nhwc_bf16, their encoding.
//
// nchw is plain row-major fp32 and what every backend accepts. nchw16c ("nChw16c") stores channels
// in blocks of 16, [N][C/16][H][W][16], and is used only when C % 16 == 0; nhwc stores the channels
// of a pixel together, [N][H][W][C]. nhwc_bf16 is nhwc with each element a bfloat16 (the upper
// 16 bits of its fp32 value, rounded to nearest even): half the memory, and what tensor-core
// convolutions read and write. The element count is the same in every layout, so element-wise
// operations between tensors of one fp32 layout need no conversion. Only backends that declare
// BlockedLayouts (core/backend.hpp) produce the others, and layers convert at the edges:
// tensor::to_host, losses, and a gradient that arrives in another layout than its output's.
#pragma once

#include "jhr/core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace jhr {

enum class layout : std::uint8_t { nchw, nchw16c, nhwc, nhwc_bf16 };

constexpr std::string_view name(layout l) {
    switch (l) {
    case layout::nchw:
        return "nchw";
    case layout::nchw16c:
        return "nchw16c";
    case layout::nhwc:
        return "nhwc";
    case layout::nhwc_bf16:
        return "nhwc-bf16";
    }
    return "unknown layout";
}

// Whether l stores its elements as bfloat16 (2 bytes each) rather than fp32.
constexpr bool bfloat16_elements(layout l) {
    return l == layout::nhwc_bf16;
}

// The fp32 layout with l's element order (l itself when it is fp32).
constexpr layout fp32_layout(layout l) {
    return l == layout::nhwc_bf16 ? layout::nhwc : l;
}

// The floats of storage a tensor of `elements` elements takes in layout l (bfloat16 elements two to
// a float).
constexpr std::size_t storage_floats(layout l, std::size_t elements) {
    return bfloat16_elements(l) ? (elements + 1) / 2 : elements;
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
