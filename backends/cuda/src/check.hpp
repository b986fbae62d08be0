// Status checks for every CUDA runtime call and kernel launch of the backend (private header).
//
// JHR_CUDA_CHECK(call) evaluates the call once and, unless it succeeded, throws
// jhr::backend_error "file:line: call failed: status (description)". JHR_CUDA_CHECK_LAUNCH(kernel)
// does the same for the launch just made (cudaGetLastError). cuDNN and cuBLAS: library_check.hpp.
#pragma once

#include "runtime.hpp"

#include "jhr/core/error.hpp"

#include <string>

namespace jhr::backends::cuda_detail {

[[noreturn]] inline void throw_failure(const char* call, const std::string& status, const char* file,
                                       int line) {
    throw backend_error(std::string(file) + ":" + std::to_string(line) + ": " + call + " failed: " + status);
}

inline void check(cudaError_t status, const char* call, const char* file, int line) {
    if (status == cudaSuccess) return;
    cudaGetLastError(); // clear a non-sticky error so later calls report their own status
    throw_failure(call, std::string(cudaGetErrorName(status)) + " (" + cudaGetErrorString(status) + ")", file,
                  line);
}

} // namespace jhr::backends::cuda_detail

#define JHR_CUDA_CHECK(call) ::jhr::backends::cuda_detail::check((call), #call, __FILE__, __LINE__)
#define JHR_CUDA_CHECK_LAUNCH(kernel)                                                                        \
    ::jhr::backends::cuda_detail::check(cudaGetLastError(), "launch of " #kernel, __FILE__, __LINE__)
