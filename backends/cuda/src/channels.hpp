// Per-channel sums of channels-last (nhwc, fp32 or bfloat16) data (private): the bias gradient of an nhwc
// convolution.
#pragma once

#include <cstddef>

namespace jhr::backends::cuda_detail {

// sums[c] = the sum over r < rows of x[r * channels + c], written, added in double in a fixed order;
// T is float or bfloat16_bits (defined for both).
template <class T>
void channel_sums(std::size_t rows, int channels, const T* x, float* sums);

} // namespace jhr::backends::cuda_detail
