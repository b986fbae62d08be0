#include "context.hpp"

#include "capture.hpp"
#include "library_check.hpp"

namespace jhr::backends::cuda_detail {
namespace {
constexpr std::size_t blas_workspace_bytes = std::size_t(32) << 20; // what NVIDIA advises for Hopper
} // namespace

context::context() {
    JHR_CUDNN_CHECK(cudnnCreate(&cudnn_));
}

// Destruction may run at thread or process exit, possibly after the driver has shut down: statuses
// are ignored here rather than thrown from a destructor.
context::~context() {
    if (cublas_) blas().destroy(cublas_);
    cudnnDestroy(cudnn_);
}

cublasHandle_t context::cublas(jhr::precision precision) {
    if (!cublas_) {
        cublasHandle_t handle = nullptr;
        JHR_CUBLAS_CHECK(blas().create(&handle));
        try {
            JHR_CUBLAS_CHECK(blas().set_math_mode(handle, CUBLAS_DEFAULT_MATH));
            JHR_CUBLAS_CHECK(blas().set_pointer_mode(handle, CUBLAS_POINTER_MODE_HOST));
            blas_workspace_ = cuda_buffer<unsigned char>(blas_workspace_bytes);
            JHR_CUBLAS_CHECK(blas().set_workspace(handle, blas_workspace_.data(), blas_workspace_.size()));
        } catch (...) {
            blas().destroy(handle);
            throw;
        }
        cublas_ = handle;
        blas_precision_ = jhr::precision::fp32;
    }
    if (precision != blas_precision_) {
        JHR_CUBLAS_CHECK(blas().set_math_mode(
            cublas_, precision == jhr::precision::tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
        blas_precision_ = precision;
    }
    return cublas_;
}

// A grown workspace replaces the old one, which a graph may still keep.
void* context::workspace(std::size_t bytes) {
    if (bytes > workspace_->size()) {
        workspace_.reset();
        workspace_ = std::make_shared<cuda_buffer<unsigned char>>(bytes);
    }
    keep_for_graph(workspace_);
    return workspace_->data();
}

context& this_thread() {
    thread_local context instance;
    return instance;
}

void context::set_stream(cudaStream_t stream) {
    JHR_CUDNN_CHECK(cudnnSetStream(cudnn_, stream));
    const cublasHandle_t handle = cublas(cuda_precision_control::precision());
    JHR_CUBLAS_CHECK(blas().set_stream(handle, stream));
    // cublasSetStream returns the handle to cuBLAS's own workspace pool.
    JHR_CUBLAS_CHECK(blas().set_workspace(handle, blas_workspace_.data(), blas_workspace_.size()));
}

void set_library_stream(cudaStream_t stream) {
    this_thread().set_stream(stream);
}

} // namespace jhr::backends::cuda_detail
