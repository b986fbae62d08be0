// jhr/backends/cuda/precision.hpp: the arithmetic cuDNN convolutions and cuBLAS GEMMs use, one
// setting for the process, read at each call (the default is fp32).
//
// fp32: FMA math only (CUDNN_FMA_MATH, CUBLAS_DEFAULT_MATH), within 1e-4 of the reference backend.
// tf32: tensor cores may round the inputs of convolutions and GEMMs to TF32 (10-bit mantissa,
// fp32 accumulation; CUDNN_TENSOR_OP_MATH, CUBLAS_TF32_TENSOR_OP_MATH) on GPUs that have them
// (sm_80 and newer); the bound is 3e-3. Everything else (own kernels, losses) stays fp32.
// Convolution plans are kept per precision, so switching back and forth costs no new search.
#pragma once

#include <atomic>
#include <optional>
#include <string_view>

namespace jhr::backends {

enum class cuda_precision { fp32, tf32 };

struct cuda_precision_control {
    static void set_precision(cuda_precision p) noexcept { setting().store(p); }
    static cuda_precision precision() noexcept { return setting().load(); }

private:
    static std::atomic<cuda_precision>& setting() noexcept {
        static std::atomic<cuda_precision> value{cuda_precision::fp32};
        return value;
    }
};

// "fp32" or "tf32"; nullopt for anything else.
constexpr std::optional<cuda_precision> cuda_precision_from_name(std::string_view name) {
    if (name == "fp32") return cuda_precision::fp32;
    if (name == "tf32") return cuda_precision::tf32;
    return std::nullopt;
}

} // namespace jhr::backends
