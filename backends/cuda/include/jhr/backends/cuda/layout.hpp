// jhr/backends/cuda/layout.hpp: the layout of the activations between layers on the GPU
// (BlockedLayouts and Bfloat16Activations, core/backend.hpp), and conversions between nchw, nhwc and
// nhwc_bf16.
//
// nhwc is the layout cuDNN's tensor-core kernels read and write, and nhwc_bf16 its bfloat16 form:
// at bf16 `automatic` (the default) keeps activations and their gradients in nhwc_bf16, so cuDNN
// reads and writes them directly (no rounded copies, no widening passes) and every element-wise
// kernel moves half the bytes, as PyTorch's autocast does. At fp32 and tf32 `automatic` keeps nchw,
// the classic layout of the fp32 (FMA) kernels (fp32 nhwc tensors go to cuDNN's legacy API only when
// asked for; which layout pays there is for the GPU benchmarks to tell). set_activation_layout fixes
// one for every precision: nchw or nhwc, both fp32 (at bf16 the convolutions then round copies, as
// before nhwc_bf16); it is process-wide and read when a convolution's output is shaped, so set it
// between training steps, not inside one. Every kernel of the backend that is told a layout takes
// all three; nchw16c is refused.
#pragma once

#include "jhr/core/geometry.hpp"
#include "jhr/core/layout.hpp"
#include "jhr/core/shape.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace jhr::backends {

enum class cuda_activation_layout : std::uint8_t { automatic, nchw, nhwc };

struct cuda_layouts {
    static void set_activation_layout(cuda_activation_layout choice) noexcept { choice_.store(choice); }
    static cuda_activation_layout activation_layout() noexcept { return choice_.load(); }
    // The layout a convolution's output takes under the current choice and precision.
    static jhr::layout conv2d_output_layout(const conv2d_geometry& g);
    // y = x (of shape s) stored in layout `to` (rounded to bfloat16 or widened where the encodings
    // differ); throws backend_error for nchw16c.
    static void relayout(const shape& s, jhr::layout from, const float* x, jhr::layout to, float* y);
    // y = a + b over n elements of nhwc_bf16 tensors, each sum rounded (y may be a or b).
    static void add_bfloat16(std::size_t n, const float* a, const float* b, float* y);

private:
    static inline std::atomic<cuda_activation_layout> choice_{cuda_activation_layout::automatic};
};

} // namespace jhr::backends
