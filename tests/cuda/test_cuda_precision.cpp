// jhr/backends/cuda/precision.hpp: the setting itself (no GPU needed); its effect on convolutions
// and GEMMs is tested with them (test_cuda_convolution.cpp, test_cuda_dense.cpp).
#include "gpu.hpp"

#include <doctest/doctest.h>

using jhr::precision;

TEST_CASE("cuda precision is fp32 by default, and a scope sets and restores it") {
    CHECK(jhr::cuda::precision() == precision::fp32);
    {
        const jhr::testing::precision_scope tf32(precision::tf32);
        CHECK(jhr::cuda::precision() == precision::tf32);
    }
    CHECK(jhr::cuda::precision() == precision::fp32);
}

TEST_CASE("cuda computes at fp32, tf32 and bf16") {
    static_assert(jhr::SelectablePrecision<jhr::cuda>);
    CHECK(jhr::precisions_of<jhr::cuda>() == "fp32, tf32, bf16");
    {
        const jhr::testing::precision_scope bf16(precision::bf16);
        CHECK(jhr::cuda::precision() == precision::bf16);
    }
    CHECK(jhr::cuda::precision() == precision::fp32);
}
