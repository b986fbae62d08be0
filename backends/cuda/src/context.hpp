// The per-thread state of the CUDA backend (private header): the cuDNN and cuBLAS handles, created
// at a thread's first use on the current device, and a workspace buffer that only grows. Handles
// run on the legacy default stream, like every kernel of the backend. cuBLAS uses
// CUBLAS_DEFAULT_MATH (fp32 stays fp32, no TF32).
#pragma once

#include "jhr/backends/cuda/memory.hpp"

#include <cublas_v2.h>
#include <cudnn.h>

#include <cstddef>

namespace jhr::backends::cuda_detail {

class context {
public:
    context();
    context(const context&) = delete;
    context& operator=(const context&) = delete;
    ~context();

    cudnnHandle_t cudnn() const { return cudnn_; }
    cublasHandle_t cublas() const { return cublas_; }
    // At least `bytes` bytes of scratch device memory, valid until the next call on this thread.
    void* workspace(std::size_t bytes);

private:
    cudnnHandle_t cudnn_ = nullptr;
    cublasHandle_t cublas_ = nullptr;
    cuda_buffer<unsigned char> workspace_;
};

// The calling thread's context.
context& this_thread();

} // namespace jhr::backends::cuda_detail
