// The backend's count of device calls (private header): own kernel launches (JHR_CUDA_LAUNCH) and
// cuDNN/cuBLAS compute calls, which cuda_device::device_calls() reports.
#pragma once

#include <atomic>
#include <cstdint>

namespace jhr::backends::cuda_detail {

inline std::atomic<std::uint64_t> device_call_count{0};

inline void count_device_call() noexcept {
    device_call_count.fetch_add(1, std::memory_order_relaxed);
}

} // namespace jhr::backends::cuda_detail
