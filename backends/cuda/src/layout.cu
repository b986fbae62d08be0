// jhr/backends/cuda/layout.hpp: the activation layout choice and the nchw <-> nhwc conversions.
#include "jhr/backends/cuda/layout.hpp"
#include "jhr/backends/cuda/precision.hpp"

#include "bfloat16.hpp"
#include "placement.hpp"

namespace jhr::backends {

jhr::layout cuda_layouts::conv2d_output_layout(const conv2d_geometry&) {
    switch (activation_layout()) {
    case cuda_activation_layout::nchw:
        return jhr::layout::nchw;
    case cuda_activation_layout::nhwc:
        return jhr::layout::nhwc;
    case cuda_activation_layout::automatic:
        break;
    }
    return cuda_precision_control::precision() == jhr::precision::bf16 ? jhr::layout::nhwc
                                                                       : jhr::layout::nchw;
}

// An nchw tensor is n matrices of c x hw; transposed, nhwc.
void cuda_layouts::relayout(const shape& s, jhr::layout from, const float* x, jhr::layout to, float* y) {
    for (const jhr::layout l : {from, to}) cuda_detail::expect_nchw_or_nhwc(l, "relayout of " + s.str());
    const std::size_t n = std::size_t(s.n), c = std::size_t(s.c), hw = std::size_t(s.h) * std::size_t(s.w);
    if (from == to)
        cuda_detail::transpose_floats(1, 1, n * c * hw, x, y);
    else if (from == jhr::layout::nchw)
        cuda_detail::transpose_floats(n, c, hw, x, y);
    else
        cuda_detail::transpose_floats(n, hw, c, x, y);
}

} // namespace jhr::backends
