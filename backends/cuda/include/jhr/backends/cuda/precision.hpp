// jhr/backends/cuda/precision.hpp: the precisions of the CUDA backend (core/precision.hpp), read at
// each call; fp32 is the default.
//
// fp32: FMA math only (CUDNN_FMA_MATH, CUBLAS_DEFAULT_MATH), within 1e-4 of the reference backend.
// tf32: tensor cores may round the inputs of convolutions and GEMMs to TF32 (10-bit mantissa,
// fp32 accumulation; CUDNN_TENSOR_OP_MATH, CUBLAS_TF32_TENSOR_OP_MATH) on GPUs that have them
// (sm_80 and newer); the bound is 3e-3. Everything else (own kernels, losses) stays fp32.
// bf16 is not available on this backend (set_precision refuses it).
// Convolution plans are kept per precision, so switching back and forth costs no new search.
#pragma once

#include "jhr/core/precision.hpp"

namespace jhr {
struct cuda;
}

namespace jhr::backends {

struct cuda_precision_control : precision_setting<jhr::cuda> {
    static constexpr bool supports_precision(jhr::precision p) noexcept { return p != jhr::precision::bf16; }
};

} // namespace jhr::backends
