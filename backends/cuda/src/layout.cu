// jhr/backends/cuda/layout.hpp: the activation layout choice and the conversions between nchw, nhwc
// and nhwc_bf16.
#include "jhr/backends/cuda/layout.hpp"
#include "jhr/backends/cuda/memory.hpp"
#include "jhr/backends/cuda/precision.hpp"

#include "bfloat16.hpp"
#include "placement.hpp"

namespace jhr::backends {

using cuda_detail::bfloat16_bits;
using cuda_detail::elements;

jhr::layout cuda_layouts::conv2d_output_layout(const conv2d_geometry&) {
    switch (activation_layout()) {
    case cuda_activation_layout::nchw:
        return jhr::layout::nchw;
    case cuda_activation_layout::nhwc:
        return jhr::layout::nhwc;
    case cuda_activation_layout::automatic:
        break;
    }
    return cuda_precision_control::precision() == jhr::precision::bf16 ? jhr::layout::nhwc_bf16
                                                                       : jhr::layout::nchw;
}

// An nchw tensor is n matrices of c x hw; transposed, nhwc. The conversions to and from bfloat16
// transpose the same way (rows == 1: element-wise).
void cuda_layouts::relayout(const shape& s, jhr::layout from, const float* x, jhr::layout to, float* y) {
    for (const jhr::layout l : {from, to}) cuda_detail::expect_cuda_layout(l, "relayout of " + s.str());
    const std::size_t n = std::size_t(s.n), c = std::size_t(s.c), hw = std::size_t(s.h) * std::size_t(s.w);
    if (cuda_detail::same_placement(s, from, to))
        return cuda_memory::copy_on_device(y, x, storage_floats(from, n * c * hw) * sizeof(float));
    // the matrices x holds: n of c x hw (nchw), else one of n hw x c (nhwc: the transpose is trivial)
    const bool from_planes = from == jhr::layout::nchw, transposed = from_planes != (to == jhr::layout::nchw);
    const std::size_t batch = transposed ? n : 1,
                      rows = !transposed   ? 1
                             : from_planes ? c
                                           : hw,
                      cols = !transposed   ? n * c * hw
                             : from_planes ? hw
                                           : c;
    if (bfloat16_elements(to))
        cuda_detail::round_to_bfloat16(batch, rows, cols, x, elements<bfloat16_bits>(y));
    else if (bfloat16_elements(from))
        cuda_detail::widen_from_bfloat16(batch, rows, cols, elements<bfloat16_bits>(x), nullptr, y);
    else
        cuda_detail::transpose_floats(batch, rows, cols, x, y);
}

void cuda_layouts::add_bfloat16(std::size_t n, const float* a, const float* b, float* y) {
    cuda_detail::add_bfloat16(n, elements<bfloat16_bits>(a), elements<bfloat16_bits>(b),
                              elements<bfloat16_bits>(y));
}

} // namespace jhr::backends
