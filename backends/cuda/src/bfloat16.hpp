// bfloat16 copies for bf16 precision (private header): convolutions and GEMMs there take their
// inputs rounded to bfloat16 in scratch device memory from the caching allocator.
//
// bfloat16 is the upper half of an fp32: the same exponent range, 8 significant bits. Rounding is to
// nearest, ties to even; infinities stay infinite, NaN stays NaN (quiet), and a finite value whose
// rounding passes the largest bfloat16 becomes infinite, as in cuda_bf16.h's __float2bfloat16_rn.
#pragma once

#include "jhr/backends/cuda/memory.hpp"
#include "jhr/core/layout.hpp"

#include "runtime.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace jhr::backends::cuda_detail {

using bfloat16_bits = std::uint16_t;

__host__ __device__ inline std::uint32_t bits_of(float value) {
#if defined(__CUDA_ARCH__)
    return __float_as_uint(value);
#else
    std::uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
#endif
}

__host__ __device__ inline float float_of(std::uint32_t bits) {
#if defined(__CUDA_ARCH__)
    return __uint_as_float(bits);
#else
    float value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
#endif
}

__host__ __device__ inline bfloat16_bits to_bfloat16(float value) {
    const std::uint32_t bits = bits_of(value);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return bfloat16_bits((bits >> 16) | 0x0040u); // quiet NaN
    return bfloat16_bits((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

__host__ __device__ inline float from_bfloat16(bfloat16_bits value) {
    return float_of(std::uint32_t(value) << 16);
}

// Element access for kernels over fp32 or bfloat16 storage (T = float or bfloat16_bits).
__host__ __device__ inline float load(const float* p, std::size_t i) {
    return p[i];
}
__host__ __device__ inline float load(const bfloat16_bits* p, std::size_t i) {
    return from_bfloat16(p[i]);
}
__host__ __device__ inline void store(float* p, std::size_t i, float value) {
    p[i] = value;
}
__host__ __device__ inline void store(bfloat16_bits* p, std::size_t i, float value) {
    p[i] = to_bfloat16(value);
}

// The elements of a tensor's storage (a float pointer) as T: its bfloat16 values in a bfloat16
// layout (core/layout.hpp).
template <class T>
const T* elements(const float* storage) {
    return reinterpret_cast<const T*>(storage);
}
template <class T>
T* elements(float* storage) {
    return reinterpret_cast<T*>(storage);
}

// f(T{}) with T the element type of layout l: bfloat16_bits for a bfloat16 layout, else float.
template <class F>
void with_elements(layout l, F f) {
    if (bfloat16_elements(l))
        f(bfloat16_bits{});
    else
        f(float{});
}

// The conversions transpose too, so that cuDNN can read and write bfloat16 in nhwc while the fp32
// tensors stay nchw: x and y hold `batch` row-major matrices, x's rows x cols, y's cols x rows, and
// y[b][c][r] = convert(x[b][r][c]). rows == 1 is a plain element-wise conversion. (An nchw tensor
// is N matrices of C x HW; transposed, it is nhwc.)

// y[b][c][r] = x[b][r][c] rounded to bfloat16.
void round_to_bfloat16(std::size_t batch, std::size_t rows, std::size_t cols, const float* x,
                       bfloat16_bits* y);

// y[b][c][r] = x[b][r][c] widened to fp32, plus bias[c] when bias is not null.
void widen_from_bfloat16(std::size_t batch, std::size_t rows, std::size_t cols, const bfloat16_bits* x,
                         const float* bias, float* y);

// y[r][c] = y[r][c] + bias[c] rounded, for `rows` rows of `cols` bfloat16 values (an nhwc_bf16
// convolution output's bias).
void add_bias_bfloat16(std::size_t rows, std::size_t cols, const float* bias, bfloat16_bits* y);

// y[i] = a[i] + b[i] rounded, over n bfloat16 values (y may be a or b).
void add_bfloat16(std::size_t n, const bfloat16_bits* a, const bfloat16_bits* b, bfloat16_bits* y);

// y[b][c][r] = x[b][r][c] (fp32 to fp32): nchw <-> nhwc for the layouts (cuda/layout.hpp).
void transpose_floats(std::size_t batch, std::size_t rows, std::size_t cols, const float* x, float* y);

// round_to_bfloat16 of x into a new buffer.
inline cuda_buffer<bfloat16_bits> bfloat16_copy(std::size_t batch, std::size_t rows, std::size_t cols,
                                                const float* x) {
    cuda_buffer<bfloat16_bits> copy(batch * rows * cols);
    round_to_bfloat16(batch, rows, cols, x, copy.data());
    return copy;
}

} // namespace jhr::backends::cuda_detail
