// jhr/backends/cuda/layout.hpp: the layout of the activations between layers on the GPU
// (BlockedLayouts, core/backend.hpp), and conversions between nchw and nhwc.
//
// nhwc is the layout cuDNN's tensor-core kernels read and write: with it a bf16 convolution's
// bfloat16 copies are element-wise conversions rather than transposes (its cuDNN calls are nhwc
// either way), and tf32 kernels may need no internal transposes; nchw is the classic layout of the
// fp32 (FMA) kernels. `automatic` (the default) asks for nhwc at bf16 and nchw at fp32 and tf32
// (fp32 nhwc tensors go to cuDNN's legacy API only when asked for; which layout pays there is for
// the GPU benchmarks to tell); set_activation_layout fixes one for every precision
// (process-wide; the choice is read when a convolution's output is shaped, so set it between
// training steps, not inside one). Every kernel of the backend takes both layouts; nchw16c is
// refused.
#pragma once

#include "jhr/core/geometry.hpp"
#include "jhr/core/layout.hpp"
#include "jhr/core/shape.hpp"

#include <atomic>
#include <cstdint>

namespace jhr::backends {

enum class cuda_activation_layout : std::uint8_t { automatic, nchw, nhwc };

struct cuda_layouts {
    static void set_activation_layout(cuda_activation_layout choice) noexcept { choice_.store(choice); }
    static cuda_activation_layout activation_layout() noexcept { return choice_.load(); }
    // The layout a convolution's output takes under the current choice and precision.
    static jhr::layout conv2d_output_layout(const conv2d_geometry& g);
    // y = x (of shape s) stored in layout `to`; throws backend_error for nchw16c.
    static void relayout(const shape& s, jhr::layout from, const float* x, jhr::layout to, float* y);

private:
    static inline std::atomic<cuda_activation_layout> choice_{cuda_activation_layout::automatic};
};

} // namespace jhr::backends
