// Launch shapes and reductions shared by the backend's kernels (private, CUDA only).
//
// for_each(n, op) runs op(i) for i < n with a grid-stride loop.
// reduce_to_device(n, term, scale, out) writes scale * sum_{i < n} term(i), in double, to the device
// double `out` without waiting (0 when n is 0); reduce_to_host is the same reduction, copied back.
// reduce_to_host(n, term) returns sum_{i < n} term(i) in double: a fixed grid of blocks writes one
// partial sum each, a single block adds the partials, and the host copies the result back (which
// waits for the GPU). The order of additions depends only on n, so results repeat exactly.
// totals_kernel, launched with one block per group, adds each group's `count` partial sums the
// same way (reduce_to_host's second pass; PReLU's dalpha and dbias per channel, in one launch).
// JHR_CUDA_LAUNCH(kernel, grid, block, args...) launches kernel<<<grid, block>>>(args...) on the
// thread's stream (capture.hpp), counts it (device_calls.hpp) and checks the launch; under
// JHR_CUDA_HOST_EXECUTION it runs the grid on the host (host/runtime.hpp).
#pragma once

#include "jhr/backends/cuda/memory.hpp"

#include "capture.hpp"
#include "check.hpp"
#include "device_calls.hpp"

#include <algorithm>
#include <cstddef>
#include <tuple>

#if defined(JHR_CUDA_HOST_EXECUTION)
// The arguments are evaluated and copied at the launch, as a GPU launch copies them: a captured
// launch runs later (capture.hpp).
#define JHR_CUDA_LAUNCH(kernel, grid, block, ...)                                                            \
    do {                                                                                                     \
        ::jhr::backends::cuda_detail::count_device_call();                                                   \
        ::jhr::backends::cuda_host::launch(::jhr::backends::cuda_detail::stream(), grid, block,              \
                                           [jhr_arguments = std::make_tuple(__VA_ARGS__)] {                  \
                                               std::apply([](const auto&... a) { kernel(a...); },            \
                                                          jhr_arguments);                                    \
                                           });                                                               \
        JHR_CUDA_CHECK_LAUNCH(kernel);                                                                       \
    } while (false)
#else
#define JHR_CUDA_LAUNCH(kernel, grid, block, ...)                                                            \
    do {                                                                                                     \
        ::jhr::backends::cuda_detail::count_device_call();                                                   \
        kernel<<<grid, block, 0, ::jhr::backends::cuda_detail::stream()>>>(__VA_ARGS__);                     \
        JHR_CUDA_CHECK_LAUNCH(kernel);                                                                       \
    } while (false)
#endif

namespace jhr::backends::cuda_detail {

constexpr int block_size = 256;

// Enough blocks of block_size threads for n elements with grid-stride loops, capped.
inline unsigned grid_for(std::size_t n, std::size_t cap = 4096) {
    return unsigned(std::min<std::size_t>((n + block_size - 1) / block_size, cap));
}

// The sum of value over the block, returned to every thread. Every thread of the block must call it.
__device__ inline double block_sum(double value) {
    __shared__ double partial[block_size];
    partial[threadIdx.x] = value;
    __syncthreads();
    for (int stride = block_size / 2; stride > 0; stride /= 2) {
        if (int(threadIdx.x) < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
        __syncthreads();
    }
    const double total = partial[0];
    __syncthreads(); // the buffer may be reused by the caller's next block_sum
    return total;
}

template <class Term>
__global__ void partial_sums_kernel(std::size_t n, Term term, double* partials) {
    double s = 0;
    for (std::size_t i = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; i < n;
         i += std::size_t(gridDim.x) * blockDim.x)
        s += term(i);
    s = block_sum(s);
    if (threadIdx.x == 0) partials[blockIdx.x] = s;
}

// Block b: scale times the sum of partials[b * count, (b + 1) * count), in a fixed order (0 when
// count is 0), written to totals[b], or to more_totals[b - split] from block `split` on (two outputs,
// one launch).
template <class Value, class Total>
__global__ void totals_kernel(unsigned count, const Value* partials, Total* totals, unsigned split = ~0u,
                              Total* more_totals = nullptr, Value scale = Value(1)) {
    const Value* group = partials + std::size_t(blockIdx.x) * count;
    Value s = 0;
    for (unsigned i = threadIdx.x; i < count; i += blockDim.x) s += group[i];
    s = block_sum(s);
    if (threadIdx.x == 0)
        (blockIdx.x < split ? totals[blockIdx.x] : more_totals[blockIdx.x - split]) = Total(scale * s);
}

template <class Op>
__global__ void for_each_kernel(std::size_t n, Op op) {
    for (std::size_t i = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; i < n;
         i += std::size_t(gridDim.x) * blockDim.x)
        op(i);
}

// Runs op(i) for every i < n (op: a functor with a __device__ call operator).
template <class Op>
void for_each(std::size_t n, Op op) {
    if (n == 0) return;
    JHR_CUDA_LAUNCH(for_each_kernel, grid_for(n), block_size, n, op);
}

// The partial sums of a reduction's first pass (0 for n == 0: the second pass then writes 0).
inline unsigned reduction_blocks(std::size_t n) {
    return grid_for(n, 1024);
}

// Both passes: *out = scale * sum_{i < n} term(i), with reduction_blocks(n) doubles of scratch.
template <class Term>
void reduce(std::size_t n, Term term, double scale, double* partials, double* out) {
    const unsigned blocks = reduction_blocks(n);
    if (blocks > 0) JHR_CUDA_LAUNCH(partial_sums_kernel, blocks, block_size, n, term, partials);
    JHR_CUDA_LAUNCH(totals_kernel, 1, block_size, blocks, partials, out, ~0u, static_cast<double*>(nullptr),
                    scale);
}

template <class Term>
void reduce_to_device(std::size_t n, Term term, double scale, double* out) {
    cuda_buffer<double> partials(reduction_blocks(n));
    reduce(n, term, scale, partials.data(), out);
}

template <class Term>
double reduce_to_host(std::size_t n, Term term) {
    if (n == 0) return 0.0;
    const unsigned blocks = reduction_blocks(n);
    cuda_buffer<double> scratch(blocks + 1); // the partials, then the total
    reduce(n, term, 1.0, scratch.data(), scratch.data() + blocks);
    double total = 0;
    cuda_memory::copy_to_host(&total, scratch.data() + blocks, sizeof total);
    return total;
}

} // namespace jhr::backends::cuda_detail
