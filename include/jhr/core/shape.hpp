// jhr/core/shape.hpp: the NCHW shape of a tensor.
//
// Every jhr tensor is 4-d, batch x channels x height x width, float32. Vectors (features, logits)
// are stored as [N, C, 1, 1]. Dimensions are non-negative ints.
#pragma once

#include "jhr/core/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace jhr {

struct shape {
    int n = 0, c = 0, h = 0, w = 0;

    // Number of elements; 0 for an empty shape.
    constexpr std::size_t size() const {
        return std::size_t(n) * std::size_t(c) * std::size_t(h) * std::size_t(w);
    }
    // Elements of one sample (c * h * w).
    constexpr std::size_t sample_size() const { return std::size_t(c) * std::size_t(h) * std::size_t(w); }
    constexpr bool operator==(const shape&) const = default;

    std::string str() const {
        std::string out = "[";
        out += std::to_string(n);
        for (int d : {c, h, w}) out += ", " + std::to_string(d);
        return out += "]";
    }
};

// Throws shape_error "<what>: expected <a>, got <b>" unless a == b.
inline void expect_shape(const shape& expected, const shape& got, std::string_view what) {
    if (!(expected == got))
        throw shape_error(std::string(what) + ": expected shape " + expected.str() + ", got " + got.str());
}

} // namespace jhr
