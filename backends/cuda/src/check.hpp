// Status checks for every CUDA runtime, cuDNN and cuBLAS call of the backend (private header).
//
// JHR_CUDA_CHECK(call), JHR_CUDNN_CHECK(call) and JHR_CUBLAS_CHECK(call) evaluate the call once and,
// unless it succeeded, throw jhr::backend_error "file:line: call: status (description)".
// JHR_CUDA_CHECK_LAUNCH(kernel) does the same for the launch just made (cudaGetLastError).
#pragma once

#include "blas.hpp"
#include "jhr/core/error.hpp"

#include <cuda_runtime.h>
#include <cudnn.h>

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

inline void check(cudnnStatus_t status, const char* call, const char* file, int line) {
    if (status == CUDNN_STATUS_SUCCESS) return;
    throw_failure(call,
                  std::string(cudnnGetErrorString(status)) + " (cudnnStatus_t " +
                      std::to_string(int(status)) + ")",
                  file, line);
}

inline void check(cublasStatus_t status, const char* call, const char* file, int line) {
    if (status == CUBLAS_STATUS_SUCCESS) return;
    throw_failure(call, std::string(blas().status_name(status)) + " (" + blas().status_string(status) + ")",
                  file, line);
}

} // namespace jhr::backends::cuda_detail

#define JHR_CUDA_CHECK(call) ::jhr::backends::cuda_detail::check((call), #call, __FILE__, __LINE__)
#define JHR_CUDNN_CHECK(call) ::jhr::backends::cuda_detail::check((call), #call, __FILE__, __LINE__)
#define JHR_CUBLAS_CHECK(call) ::jhr::backends::cuda_detail::check((call), #call, __FILE__, __LINE__)
#define JHR_CUDA_CHECK_LAUNCH(kernel)                                                                        \
    ::jhr::backends::cuda_detail::check(cudaGetLastError(), "launch of " #kernel, __FILE__, __LINE__)
