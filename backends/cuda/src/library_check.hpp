// Status checks for the backend's cuDNN and cuBLAS calls (private header): JHR_CUDNN_CHECK(call)
// and JHR_CUBLAS_CHECK(call) throw jhr::backend_error as JHR_CUDA_CHECK does (check.hpp).
#pragma once

#include "blas.hpp"
#include "check.hpp"

#include <cudnn.h>

#include <string>

namespace jhr::backends::cuda_detail {

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

#define JHR_CUDNN_CHECK(call) ::jhr::backends::cuda_detail::check((call), #call, __FILE__, __LINE__)
#define JHR_CUBLAS_CHECK(call) ::jhr::backends::cuda_detail::check((call), #call, __FILE__, __LINE__)
