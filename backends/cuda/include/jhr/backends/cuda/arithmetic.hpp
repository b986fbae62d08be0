// jhr/backends/cuda/arithmetic.hpp: element-wise arithmetic and reductions on the GPU.
//
// Same contracts as the reference backend's host_memory: outputs are overwritten except by axpy and
// scale (in place). sum and dot accumulate in double (a fixed two-pass tree, so the result does not
// depend on timing) and return to the host, which waits for the GPU.
#pragma once

#include <cstddef>

namespace jhr::backends {

struct cuda_arithmetic {
    static void fill(std::size_t n, float value, float* y);
    static void add(std::size_t n, const float* a, const float* b, float* y); // y = a + b
    static void scale(std::size_t n, float alpha, float* x);                  // x *= alpha
    static void axpy(std::size_t n, float alpha, const float* x, float* y);   // y += alpha x
    static double sum(std::size_t n, const float* x);
    static double dot(std::size_t n, const float* x, const float* y);
};

} // namespace jhr::backends
