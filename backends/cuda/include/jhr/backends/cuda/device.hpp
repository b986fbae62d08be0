// jhr/backends/cuda/device.hpp: whether a GPU is usable, which one, and waiting for it.
//
// available() never throws: it is false when the CUDA driver is missing or reports no device, so
// programs and tests can decide at run time whether to use the backend. Every other function of
// the backend throws jhr::backend_error when no GPU is usable.
#pragma once

#include <cstdint>
#include <string>

namespace jhr::backends {

struct cuda_device {
    // True when cudaGetDeviceCount succeeds and reports at least one device (checked once).
    static bool available() noexcept;
    // e.g. "NVIDIA H100 80GB HBM3, sm_90, 79.1 GiB, driver 13.0, runtime 13.0, cuDNN 91900, cuBLAS 13.0".
    static std::string description();
    // The cuBLAS version, e.g. "13.0". Needs no GPU. cuBLAS is loaded at its first use (this call or
    // the first GEMM), not at program start; throws backend_error when it cannot be loaded.
    static std::string blas_version();
    // Blocks until all work queued by the backend on the current device has finished.
    static void synchronize();
    // The device calls made so far by all threads: own kernels launched, and cuDNN and cuBLAS compute
    // calls (one each; algorithm searches and copies are not counted). Needs no GPU.
    static std::uint64_t device_calls() noexcept;
};

} // namespace jhr::backends
