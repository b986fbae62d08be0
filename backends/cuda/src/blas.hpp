// cuBLAS, loaded at its first use rather than linked (private header). Loading cuBLAS maps cuBLASLt,
// which costs every program that links the backend about 210 MiB of resident memory at start-up,
// GPU or not; a program that never does GEMM on the GPU never loads it.
//
// blas() loads the library once (thread-safe) and returns its entry points; it throws
// jhr::backend_error naming the library, or the missing symbol, when it cannot.
#pragma once

#include <cublas_v2.h>

namespace jhr::backends::cuda_detail {

struct blas_api {
    decltype(&::cublasCreate_v2) create;
    decltype(&::cublasDestroy_v2) destroy;
    decltype(&::cublasSetMathMode) set_math_mode;
    decltype(&::cublasSetPointerMode_v2) set_pointer_mode;
    decltype(&::cublasSetStream_v2) set_stream;
    decltype(&::cublasSetWorkspace_v2) set_workspace;
    decltype(&::cublasSgemm_v2) sgemm;
    decltype(&::cublasGetProperty) get_property;
    decltype(&::cublasGetStatusName) status_name;
    decltype(&::cublasGetStatusString) status_string;
};

const blas_api& blas();

} // namespace jhr::backends::cuda_detail
