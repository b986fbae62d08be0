// jhr/losses/reduction.hpp: how a loss combines its per-sample terms.
//   sum:  L = sum_i l_i            (the paper's equations 2-4)
//   mean: L = (1 / N) sum_i l_i    (Caffe's normalisation, independent of the batch size)
#pragma once

#include "jhr/core/error.hpp"

#include <string>

namespace jhr {

enum class reduction { sum, mean };

// 1 for sum, 1 / batch for mean.
inline float reduction_scale(reduction r, int batch) { return r == reduction::mean ? 1.0f / float(batch) : 1.0f; }

inline reduction parse_reduction(const std::string& s) {
    if (s == "sum") return reduction::sum;
    if (s == "mean") return reduction::mean;
    throw error("unknown reduction '" + s + "' (expected sum or mean)");
}

} // namespace jhr
