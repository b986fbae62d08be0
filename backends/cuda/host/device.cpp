// jhr/backends/cuda/device.hpp under host execution (runtime.hpp): one device, the host, without
// cuBLAS.
#include "jhr/backends/cuda/device.hpp"

#include "jhr/core/error.hpp"

#include "../src/capture.hpp"
#include "../src/check.hpp"
#include "../src/device_calls.hpp"
#include "runtime.hpp"

namespace jhr::backends {

bool cuda_device::available() noexcept {
    return true;
}
std::string cuda_device::description() {
    return "host execution of the CUDA backend's kernels (no GPU, no cuDNN or cuBLAS)";
}
std::string cuda_device::blas_version() {
    throw backend_error("cuBLAS is not part of the host execution of the CUDA backend");
}
void cuda_device::synchronize() {
    JHR_CUDA_CHECK(cudaDeviceSynchronize());
}

std::uint64_t cuda_device::device_calls() noexcept {
    return cuda_detail::device_call_count.load();
}

void cuda_detail::set_library_stream(cudaStream_t) {} // no handles: the stand-ins use stream()

} // namespace jhr::backends
