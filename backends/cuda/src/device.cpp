// The device queries of jhr/backends/cuda/device.hpp.
#include "jhr/backends/cuda/device.hpp"

#include "device_calls.hpp"
#include "library_check.hpp"

#include <cstdio>
#include <string>

namespace jhr::backends {

bool cuda_device::available() noexcept {
    static const bool present = [] {
        int count = 0;
        const cudaError_t status = cudaGetDeviceCount(&count);
        cudaGetLastError();
        return status == cudaSuccess && count > 0;
    }();
    return present;
}

std::string cuda_device::description() {
    int device = 0, driver = 0, runtime = 0;
    JHR_CUDA_CHECK(cudaGetDevice(&device));
    cudaDeviceProp properties{};
    JHR_CUDA_CHECK(cudaGetDeviceProperties(&properties, device));
    JHR_CUDA_CHECK(cudaDriverGetVersion(&driver));
    JHR_CUDA_CHECK(cudaRuntimeGetVersion(&runtime));
    const auto version = [](int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); };
    char memory[32];
    std::snprintf(memory, sizeof memory, "%.1f GiB", double(properties.totalGlobalMem) / double(1 << 30));
    return std::string(properties.name) + ", sm_" + std::to_string(properties.major) +
           std::to_string(properties.minor) + ", " + memory + ", driver " + version(driver) + ", runtime " +
           version(runtime) + ", cuDNN " + std::to_string(cudnnGetVersion()) + ", cuBLAS " + blas_version();
}

std::string cuda_device::blas_version() {
    int major = 0, minor = 0;
    JHR_CUBLAS_CHECK(cuda_detail::blas().get_property(MAJOR_VERSION, &major));
    JHR_CUBLAS_CHECK(cuda_detail::blas().get_property(MINOR_VERSION, &minor));
    return std::to_string(major) + "." + std::to_string(minor);
}

void cuda_device::synchronize() {
    JHR_CUDA_CHECK(cudaDeviceSynchronize());
}

std::uint64_t cuda_device::device_calls() noexcept {
    return cuda_detail::device_call_count.load();
}

} // namespace jhr::backends
