// jhr/backends/onednn.hpp: the oneDNN CPU backend.
//
// Host memory, so buffers, transfers, reductions, the losses, the center update and the SGD update
// are the shared host code of the reference backend. Convolution, max pooling, ReLU, PReLU, GEMM,
// the row-vector helpers and element-wise add run on oneDNN primitives, created once per geometry
// and cached per thread (onednn/context.hpp). Results agree with jhr::reference to float rounding.
#pragma once

#include "jhr/backends/onednn/activation.hpp"
#include "jhr/backends/onednn/context.hpp"
#include "jhr/backends/onednn/convolution.hpp"
#include "jhr/backends/onednn/dense.hpp"
#include "jhr/backends/onednn/pooling.hpp"
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
                backends::host_loss,
                backends::host_optimizer {
    static constexpr std::string_view name = "onednn";

    using backends::onednn_dense::add;

    // Cache misses so far, over all threads: each builds one primitive with its reorders.
    static std::size_t primitives_created() { return backends::onednn_detail::creation_counter().load(); }
};

static_assert(Backend<onednn>);

} // namespace jhr
