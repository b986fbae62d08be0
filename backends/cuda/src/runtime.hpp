// The CUDA runtime the backend's sources compile against (private header): the CUDA toolkit's, or,
// when JHR_CUDA_HOST_EXECUTION is defined, the host execution of backends/cuda/host/runtime.hpp,
// which runs the backend's own kernels and allocator on the CPU so that tests can check them on
// machines without a GPU.
#pragma once

#if defined(JHR_CUDA_HOST_EXECUTION)
#include "../host/runtime.hpp"
#else
#include <cuda_runtime.h>
#endif
