// jhr/backends/cuda/precision.hpp: the precisions of the CUDA backend (core/precision.hpp), read at
// each call; fp32 is the default.
//
// fp32: FMA math only (CUDNN_FMA_MATH, CUBLAS_DEFAULT_MATH), within 1e-4 of the reference backend.
// tf32: tensor cores may round the inputs of convolutions and GEMMs to TF32 (10-bit mantissa,
// fp32 accumulation; CUDNN_TENSOR_OP_MATH, CUBLAS_TF32_TENSOR_OP_MATH) on GPUs that have them
// (sm_80 and newer); the bound is 3e-3. Everything else (own kernels, losses) stays fp32.
// bf16: convolutions read bfloat16 copies of their inputs (rounded to nearest even) on tensor cores
// with fp32 accumulation, and write bfloat16 (cuDNN's PSEUDO_BFLOAT16 configuration), widened to
// fp32: one more rounding of each output and gradient, within 2^-8 relative, as in PyTorch's
// autocast. GEMMs stay fp32, as on oneDNN: they are few, and they keep the center loss's small
// distances (rounding their operands too left a small Joint Model's center loss 23 times higher
// after 80 steps). Weights, activations and gradients stay fp32 in memory (fp32 master
// weights); bfloat16 keeps fp32's exponent range, so there is no loss scaling. The bound against
// the reference is 1e-2.
// Convolution plans are kept per precision, so switching back and forth costs no new search.
#pragma once

#include "jhr/core/precision.hpp"

namespace jhr {
struct cuda;
}

namespace jhr::backends {

struct cuda_precision_control : precision_setting<jhr::cuda> {
    static constexpr bool supports_precision(jhr::precision) noexcept { return true; }
};

} // namespace jhr::backends
