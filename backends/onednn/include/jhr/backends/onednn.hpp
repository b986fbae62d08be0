// jhr/backends/onednn.hpp: the oneDNN CPU backend.
//
// Host memory, so buffers, transfers, reductions, the losses and the center update are the shared
// host code of the reference backend. PReLU, element-wise add and the SGD update run as OpenMP
// host loops (onednn/host_parallel.hpp). Convolution, max pooling,
// ReLU, GEMM and the row-vector helpers run on oneDNN primitives, created once per geometry and
// cached per thread (onednn/context.hpp). Results agree with jhr::reference to float rounding.
// BlockedLayouts: convolutions ask for nChw16c outputs where oneDNN's kernels use it, so
// activations stay blocked from layer to layer (onednn/relayout.hpp converts at the edges).
// SelectablePrecision: fp32, and bf16 convolutions where this CPU has them (onednn/precision.hpp).
#pragma once

#include "jhr/backends/onednn/activation.hpp"
#include "jhr/backends/onednn/context.hpp"
#include "jhr/backends/onednn/convolution.hpp"
#include "jhr/backends/onednn/dense.hpp"
#include "jhr/backends/onednn/host_parallel.hpp"
#include "jhr/backends/onednn/pooling.hpp"
#include "jhr/backends/onednn/precision.hpp"
#include "jhr/backends/onednn/relayout.hpp"
#include "jhr/backends/reference/host_memory.hpp"
#include "jhr/backends/reference/loss.hpp"
#include "jhr/backends/reference/optimizer.hpp"
#include "jhr/core/backend.hpp"

namespace jhr {

struct onednn : backends::host_memory,
                backends::onednn_convolution,
                backends::onednn_max_pooling,
                backends::onednn_activation,
                backends::onednn_dense,
                backends::onednn_host_parallel,
                backends::onednn_relayout,
                backends::host_loss,
                backends::host_optimizer,
                backends::onednn_precision {
    static constexpr std::string_view name = "onednn";

    static bool supports_precision(jhr::precision p) {
        return p == jhr::precision::fp32 || (p == jhr::precision::bf16 && bf16_available());
    }

    using backends::onednn_host_parallel::add;
    using backends::onednn_host_parallel::sgd_momentum_update;

    // Threads for oneDNN primitives and the backend's parallel host loops (omp_set_num_threads).
    static void set_threads(int threads) { backends::onednn_detail::set_threads(threads); }

    // Cache misses so far, over all threads: each builds one primitive with its reorders.
    static std::size_t primitives_created() { return backends::onednn_detail::creation_counter().load(); }

    // Activation tensors reordered so far, over all threads: inside primitives, where a primitive
    // chose another layout than its caller's, and by relayout.
    static std::size_t activation_reorders() {
        return backends::onednn_detail::activation_reorder_counter().load();
    }
};

static_assert(BlockedLayouts<onednn>);
static_assert(SelectablePrecision<onednn>);

} // namespace jhr
