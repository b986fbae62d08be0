// jhr/backends/cuda/precision.hpp: the setting itself (no GPU needed); its effect on convolutions
// and GEMMs is tested with them (test_cuda_convolution.cpp, test_cuda_dense.cpp).
#include "gpu.hpp"

#include <doctest/doctest.h>

using jhr::backends::cuda_precision;

TEST_CASE("cuda precision is fp32 by default, and a scope sets and restores it") {
    CHECK(jhr::cuda::precision() == cuda_precision::fp32);
    {
        const jhr::testing::precision_scope tf32(cuda_precision::tf32);
        CHECK(jhr::cuda::precision() == cuda_precision::tf32);
    }
    CHECK(jhr::cuda::precision() == cuda_precision::fp32);
}

TEST_CASE("cuda precision names") {
    CHECK(jhr::backends::cuda_precision_from_name("fp32") == cuda_precision::fp32);
    CHECK(jhr::backends::cuda_precision_from_name("tf32") == cuda_precision::tf32);
    CHECK_FALSE(jhr::backends::cuda_precision_from_name("bf16").has_value());
    CHECK_FALSE(jhr::backends::cuda_precision_from_name("FP32").has_value());
}
