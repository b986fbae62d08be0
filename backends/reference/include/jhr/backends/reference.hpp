// jhr/backends/reference.hpp: the reference backend, plain host code written to be read.
//
// It is the specification of every Backend primitive and the oracle other backends are tested
// against. Each concern lives in its own header under reference/; this type only gathers them.
#pragma once

#include "jhr/backends/reference/activation.hpp"
#include "jhr/backends/reference/convolution.hpp"
#include "jhr/backends/reference/dense.hpp"
#include "jhr/backends/reference/host_memory.hpp"
#include "jhr/backends/reference/loss.hpp"
#include "jhr/backends/reference/optimizer.hpp"
#include "jhr/core/backend.hpp"

namespace jhr {

struct reference : backends::host_memory,
                   backends::host_convolution,
                   backends::host_activation,
                   backends::host_dense,
                   backends::host_loss,
                   backends::host_optimizer {
    static constexpr std::string_view name = "reference";
};

static_assert(Backend<reference>);
static_assert(BiasActivationEpilogues<reference>);

} // namespace jhr
