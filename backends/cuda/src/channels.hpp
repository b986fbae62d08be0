// Per-channel sums of channels-last (nhwc) data (private): the bias gradient of an nhwc convolution.
#pragma once

#include <cstddef>

namespace jhr::backends::cuda_detail {

// sums[c] = the sum over r < rows of x[r * channels + c], written, added in double in a fixed order.
void channel_sums(std::size_t rows, int channels, const float* x, float* sums);

} // namespace jhr::backends::cuda_detail
