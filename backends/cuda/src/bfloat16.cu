// The conversion kernels of bfloat16.hpp (bfloat16 and the fp32 transpose): batched transposes
// through shared-memory tiles, so that both the reads of x and the writes of y are coalesced.
#include "bfloat16.hpp"
#include "launch.cuh"

#include <algorithm>

namespace jhr::backends::cuda_detail {
namespace {

constexpr int tile = 32, tile_rows = 8; // a block of 32 x 8 threads moves a 32 x 32 tile

struct rounding {
    __device__ bfloat16_bits operator()(float value, std::size_t) const { return to_bfloat16(value); }
};

struct widening {
    const float* bias;
    __device__ float operator()(bfloat16_bits value, std::size_t c) const {
        const float wide = from_bfloat16(value);
        return bias ? wide + bias[c] : wide;
    }
};

// Tiles run along the grid: x over x's columns, y over its rows, z over the batch (grid-stride in
// y and z, whose grid sizes are capped). The tile is padded by one column against bank conflicts.
template <class From, class To, class Convert>
__global__ void transpose_kernel(std::size_t batch, std::size_t rows, std::size_t cols, const From* x, To* y,
                                 Convert convert) {
    __shared__ From staged[tile][tile + 1];
    const std::size_t c0 = std::size_t(blockIdx.x) * tile;
    for (std::size_t b = blockIdx.z; b < batch; b += gridDim.z)
        for (std::size_t r0 = std::size_t(blockIdx.y) * tile; r0 < rows;
             r0 += std::size_t(gridDim.y) * tile) {
            const From* xb = x + b * rows * cols;
            for (int i = threadIdx.y; i < tile; i += tile_rows) {
                const std::size_t r = r0 + i, c = c0 + threadIdx.x;
                if (r < rows && c < cols) staged[i][threadIdx.x] = xb[r * cols + c];
            }
            __syncthreads();
            To* yb = y + b * rows * cols;
            for (int i = threadIdx.y; i < tile; i += tile_rows) {
                const std::size_t c = c0 + i, r = r0 + threadIdx.x;
                if (r < rows && c < cols) yb[c * rows + r] = convert(staged[threadIdx.x][i], c);
            }
            __syncthreads(); // the tile is refilled by the next iteration
        }
}

template <class From, class To, class Convert>
void transpose(std::size_t batch, std::size_t rows, std::size_t cols, const From* x, To* y, Convert convert) {
    if (batch == 0 || rows == 0 || cols == 0) return;
    const dim3 grid(unsigned((cols + tile - 1) / tile),
                    unsigned(std::min<std::size_t>((rows + tile - 1) / tile, 65535)),
                    unsigned(std::min<std::size_t>(batch, 65535)));
    JHR_CUDA_LAUNCH(transpose_kernel, grid, dim3(tile, tile_rows), batch, rows, cols, x, y, convert);
}

struct copying {
    __device__ float operator()(float value, std::size_t) const { return value; }
};

struct copy_op {
    const float* x;
    float* y;
    __device__ void operator()(std::size_t i) const { y[i] = x[i]; }
};

struct round_op {
    const float* x;
    bfloat16_bits* y;
    __device__ void operator()(std::size_t i) const { y[i] = to_bfloat16(x[i]); }
};

struct widen_op {
    const bfloat16_bits* x;
    const float* bias;
    std::size_t cols;
    float* y;
    __device__ void operator()(std::size_t i) const { y[i] = widening{bias}(x[i], i % cols); }
};

struct add_bias_op {
    const float* bias;
    std::size_t cols;
    bfloat16_bits* y;
    __device__ void operator()(std::size_t i) const { store(y, i, load(y, i) + bias[i % cols]); }
};

struct add_op {
    const bfloat16_bits *a, *b;
    bfloat16_bits* y;
    __device__ void operator()(std::size_t i) const { store(y, i, load(a, i) + load(b, i)); }
};

} // namespace

void add_bias_bfloat16(std::size_t rows, std::size_t cols, const float* bias, bfloat16_bits* y) {
    for_each(rows * cols, add_bias_op{bias, cols, y});
}

void add_bfloat16(std::size_t n, const bfloat16_bits* a, const bfloat16_bits* b, bfloat16_bits* y) {
    for_each(n, add_op{a, b, y});
}

// One row per matrix is no transpose: a grid-stride loop then reads and writes contiguously.
void round_to_bfloat16(std::size_t batch, std::size_t rows, std::size_t cols, const float* x,
                       bfloat16_bits* y) {
    if (rows == 1)
        for_each(batch * cols, round_op{x, y});
    else
        transpose(batch, rows, cols, x, y, rounding{});
}

void widen_from_bfloat16(std::size_t batch, std::size_t rows, std::size_t cols, const bfloat16_bits* x,
                         const float* bias, float* y) {
    if (rows == 1)
        for_each(batch * cols, widen_op{x, bias, cols, y});
    else
        transpose(batch, rows, cols, x, y, widening{bias});
}

// A single row or column is its own transpose: a plain copy.
void transpose_floats(std::size_t batch, std::size_t rows, std::size_t cols, const float* x, float* y) {
    if (rows == 1 || cols == 1)
        for_each(batch * rows * cols, copy_op{x, y});
    else
        transpose(batch, rows, cols, x, y, copying{});
}

} // namespace jhr::backends::cuda_detail
