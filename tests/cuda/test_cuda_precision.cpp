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

TEST_CASE("cuda computes at fp32 and tf32, and refuses bf16 naming what it has") {
    static_assert(jhr::SelectablePrecision<jhr::cuda>);
    CHECK(jhr::precisions_of<jhr::cuda>() == "fp32, tf32");
    CHECK_THROWS_WITH_AS(jhr::cuda::set_precision(precision::bf16),
                         "cuda: precision bf16 is not available (this backend computes at fp32, tf32)",
                         jhr::backend_error);
    CHECK(jhr::cuda::precision() == precision::fp32);
}
