// The bfloat16 conversion kernels of bfloat16.hpp.
#include "bfloat16.hpp"
#include "launch.cuh"

namespace jhr::backends::cuda_detail {
namespace {

struct round_op {
    const float* x;
    bfloat16_bits* y;
    __device__ void operator()(std::size_t i) const { y[i] = to_bfloat16(x[i]); }
};

struct widen_op {
    const bfloat16_bits* x;
    const float* bias;
    std::size_t channels, plane;
    float* y;
    __device__ void operator()(std::size_t i) const {
        const float value = from_bfloat16(x[i]);
        y[i] = bias ? value + bias[(i / plane) % channels] : value;
    }
};

} // namespace

void round_to_bfloat16(std::size_t n, const float* x, bfloat16_bits* y) {
    for_each(n, round_op{x, y});
}

void widen_from_bfloat16(std::size_t n, const bfloat16_bits* x, const float* bias, std::size_t channels,
                         std::size_t plane, float* y) {
    for_each(n, widen_op{x, bias, channels, plane, y});
}

} // namespace jhr::backends::cuda_detail
