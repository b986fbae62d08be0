// jhr/backends/cuda.hpp: the CUDA backend, fp32 (or TF32 convolutions and GEMMs, or bf16
// convolutions: cuda/precision.hpp) on one GPU (cuDNN for convolution, cuBLAS for GEMM, own kernels for
// everything else).
//
// Pointers given to its functions are device pointers (from cuda::buffer). Work is queued on the
// legacy default stream; functions that return a value to the host (sum, dot, the losses) and
// download() wait for it; a failure inside a running kernel is reported by the next call that
// waits. Activations between layers are nchw, nhwc or nhwc_bf16 (cuda/layout.hpp: nhwc_bf16 at bf16 by
// default). Check
// cuda::available() before use: without a usable GPU every function throws jhr::backend_error. Each concern
// lives in its own header under cuda/; this type only gathers them. Link jhr::cuda (no CUDA compiler needed
// to use it).
#pragma once

#include "jhr/backends/cuda/activation.hpp"
#include "jhr/backends/cuda/arithmetic.hpp"
#include "jhr/backends/cuda/convolution.hpp"
#include "jhr/backends/cuda/dense.hpp"
#include "jhr/backends/cuda/device.hpp"
#include "jhr/backends/cuda/graph.hpp"
#include "jhr/backends/cuda/layout.hpp"
#include "jhr/backends/cuda/loss.hpp"
#include "jhr/backends/cuda/memory.hpp"
#include "jhr/backends/cuda/optimizer.hpp"
#include "jhr/backends/cuda/pooling.hpp"
#include "jhr/backends/cuda/precision.hpp"
#include "jhr/core/backend.hpp"

#include <string_view>

namespace jhr {

struct cuda : backends::cuda_device,
              backends::cuda_memory,
              backends::cuda_transfers,
              backends::cuda_arithmetic,
              backends::cuda_convolution,
              backends::cuda_layouts,
              backends::cuda_pooling,
              backends::cuda_activation,
              backends::cuda_dense,
              backends::cuda_loss,
              backends::cuda_optimizer,
              backends::cuda_precision_control {
    static constexpr std::string_view name = "cuda";
    using graph = backends::cuda_graph;
};

static_assert(Backend<cuda>);
static_assert(BlockedLayouts<cuda>);
static_assert(Bfloat16Activations<cuda>);
static_assert(BiasActivationEpilogues<cuda>);
static_assert(BatchedSgd<cuda>);
static_assert(CapturedGraphs<cuda>);
static_assert(JointConvolutionBackward<cuda>);
static_assert(ResidualEpilogue<cuda>);

} // namespace jhr
