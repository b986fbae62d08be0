// The per-thread state of the CUDA backend (private header): the cuDNN handle, created at a
// thread's first use on the current device, the cuBLAS handle, created at its first GEMM (so a
// program that never multiplies matrices never loads cuBLAS), and a workspace buffer that only
// grows. Handles run on the thread's stream (capture.hpp), like every kernel of the backend. cuBLAS's math
// mode follows the precision asked for: CUBLAS_DEFAULT_MATH for fp32 (no TF32),
// CUBLAS_TF32_TENSOR_OP_MATH for tf32. cuBLAS works in a workspace of the context's own on every
// stream, so that a captured GEMM takes the algorithm the same GEMM takes outside a capture.
#pragma once

#include "jhr/backends/cuda/memory.hpp"
#include "jhr/backends/cuda/precision.hpp"

#include <cublas_v2.h>
#include <cudnn.h>

#include <cstddef>
#include <memory>

namespace jhr::backends::cuda_detail {

class context {
public:
    context();
    context(const context&) = delete;
    context& operator=(const context&) = delete;
    ~context();

    cudnnHandle_t cudnn() const { return cudnn_; }
    // The cuBLAS handle (created at the first call), its math mode set for `precision`.
    cublasHandle_t cublas(jhr::precision precision);
    // At least `bytes` bytes of scratch device memory, valid until the next call on this thread (and
    // kept by a graph being captured, which records work using it).
    void* workspace(std::size_t bytes);
    // Points both handles at `stream` (creating the cuBLAS handle first).
    void set_stream(cudaStream_t stream);

private:
    cudnnHandle_t cudnn_ = nullptr;
    cublasHandle_t cublas_ = nullptr;
    jhr::precision blas_precision_ = jhr::precision::fp32;
    std::shared_ptr<cuda_buffer<unsigned char>> workspace_ = std::make_shared<cuda_buffer<unsigned char>>();
    cuda_buffer<unsigned char> blas_workspace_;
};

// The calling thread's context.
context& this_thread();

} // namespace jhr::backends::cuda_detail
