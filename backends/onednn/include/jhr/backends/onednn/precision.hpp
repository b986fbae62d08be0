// jhr/backends/onednn/precision.hpp: the precision setting of the oneDNN backend
// (core/precision.hpp), read by each convolution call. fp32 is the default; bf16 (where this CPU
// has oneDNN's bf16 convolutions, onednn_convolution::bf16_available) makes convolutions take
// bf16 copies of their source, weights and output gradient and write fp32 results. GEMMs, pooling
// and the element-wise layers stay fp32 at every precision.
#pragma once

#include "jhr/core/precision.hpp"

namespace jhr {
struct onednn;
}

namespace jhr::backends {

using onednn_precision = precision_setting<jhr::onednn>;

} // namespace jhr::backends
