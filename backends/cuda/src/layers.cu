// Activation and pooling kernels: jhr/backends/cuda/activation.hpp and jhr/backends/cuda/pooling.hpp.
#include "jhr/backends/cuda/activation.hpp"
#include "jhr/backends/cuda/pooling.hpp"

#include "bfloat16.hpp"
#include "channels.hpp"
#include "launch.cuh"
#include "placement.hpp"

#include <algorithm>
#include <string>

namespace jhr::backends {
namespace {

using cuda_detail::bfloat16_bits;
using cuda_detail::elements;
using cuda_detail::load;
using cuda_detail::store;
using cuda_detail::with_elements;

// Whether a layout keeps the channels of a pixel together (nhwc, in fp32 or bfloat16).
bool channels_last(layout l) {
    return fp32_layout(l) == layout::nhwc;
}

struct relu_forward_op {
    const float* x;
    float* y;
    __device__ void operator()(std::size_t i) const { y[i] = x[i] > 0.0f ? x[i] : 0.0f; }
};
struct relu_backward_op {
    const float *x, *dy;
    float* dx;
    __device__ void operator()(std::size_t i) const { dx[i] = x[i] > 0.0f ? dy[i] : 0.0f; }
};
// y = prelu(x + bias[c]) + skip; bias is null for a plain PReLU, alpha null for a ReLU, skip null
// outside a residual unit. Channels are innermost (nhwc) when channels_last; x, skip and y hold T.
template <class T>
struct prelu_forward_op {
    std::size_t channels, spatial;
    bool channels_last;
    const T* x;
    const float *bias, *alpha;
    const T* skip;
    T* y;
    __device__ void operator()(std::size_t i) const {
        const std::size_t c = channels_last ? i % channels : i / spatial % channels;
        const float v = bias ? load(x, i) + bias[c] : load(x, i);
        const float activated = v > 0.0f ? v : alpha ? alpha[c] * v : 0.0f;
        store(y, i, skip ? activated + load(skip, i) : activated);
    }
};

// PReLU backward runs in (channel, group of samples) blocks, so that every SM has work even at 64
// channels: each block writes dx over its samples' pixels of one channel and, with Slopes, the
// partial dalpha sum (double) of that part (without, it is a ReLU's), and with Biased the partial
// dbias sum (the input is then x + bias[c]); totals_kernel adds each channel's partials in a fixed
// order. Channels run along the grid's x (up to 2^31 - 1 blocks), groups along y (at most 65535).
struct prelu_backward_split {
    static constexpr int max_groups = 65535;
    int samples_per_block, groups; // groups of samples per channel
    explicit prelu_backward_split(const channel_geometry& g)
        : samples_per_block(std::max({1, g.spatial > 0 ? 4 * cuda_detail::block_size / g.spatial : 1,
                                      (g.batch + max_groups - 1) / max_groups})),
          groups(g.spatial > 0 ? (g.batch + samples_per_block - 1) / samples_per_block : 0) {}
};

template <bool Biased, bool Slopes>
__global__ void prelu_backward_kernel(channel_geometry g, int samples_per_block, const float* x,
                                      const float* bias, const float* alpha, const float* dy, float* dx,
                                      double* alpha_partials, double* bias_partials) {
    const int c = blockIdx.x, first = blockIdx.y * samples_per_block;
    const int last = min(first + samples_per_block, g.batch);
    const float a = Slopes ? alpha[c] : 0.0f;
    const std::size_t spatial = std::size_t(g.spatial);
    double da = 0, db = 0;
    for (int n = first; n < last; ++n) {
        const std::size_t base = (std::size_t(n) * g.channels + c) * spatial;
        for (std::size_t s = threadIdx.x; s < spatial; s += blockDim.x) {
            const float v = Biased ? x[base + s] + bias[c] : x[base + s], grad = dy[base + s];
            const float d = v > 0.0f ? grad : Slopes ? a * grad : 0.0f;
            dx[base + s] = d;
            if (Slopes && v <= 0.0f) da += double(grad) * v;
            if (Biased) db += d;
        }
    }
    const std::size_t slot = std::size_t(c) * gridDim.y + blockIdx.y;
    if (Slopes) {
        da = cuda_detail::block_sum(da);
        if (threadIdx.x == 0) alpha_partials[slot] = da;
    }
    if (Biased) {
        db = cuda_detail::block_sum(db);
        if (threadIdx.x == 0) bias_partials[slot] = db;
    }
}

// The nhwc form: rows = batch * pixels of `channels` values. Blocks of 32 channels x 8 row lanes
// take a group of rows each (reads coalesced along the channels); the 8 lanes' partial sums are
// added in a fixed order into the group's partial. Without Activated the gradient passes through
// (d = dy, dx may be null): the bias gradient of a convolution. x, dy and dx hold T; the sums add
// the gradients before dx rounds them.
constexpr int channel_tile = 32, row_lanes = 8;

struct channels_last_split {
    static constexpr std::size_t max_groups = 65535;
    std::size_t rows_per_group, groups;
    explicit channels_last_split(std::size_t rows)
        : rows_per_group(std::max<std::size_t>(64, (rows + max_groups - 1) / max_groups)),
          groups((rows + rows_per_group - 1) / rows_per_group) {}
};

template <bool Activated, bool Biased, bool Slopes, class T>
__global__ void channels_last_backward_kernel(std::size_t rows, int channels, std::size_t rows_per_group,
                                              const T* x, const float* bias, const float* alpha, const T* dy,
                                              T* dx, double* alpha_partials, double* bias_partials) {
    __shared__ double lanes_a[row_lanes][channel_tile], lanes_b[row_lanes][channel_tile];
    const int c = int(blockIdx.x) * channel_tile + int(threadIdx.x);
    const std::size_t first = std::size_t(blockIdx.y) * rows_per_group;
    const std::size_t last = min(first + rows_per_group, rows);
    double da = 0, db = 0;
    if (c < channels) {
        const float a = Slopes ? alpha[c] : 0.0f, b = Biased && Activated ? bias[c] : 0.0f;
        for (std::size_t r = first + threadIdx.y; r < last; r += row_lanes) {
            const std::size_t i = r * std::size_t(channels) + std::size_t(c);
            const float grad = load(dy, i);
            float d = grad;
            if (Activated) {
                const float v = Biased ? load(x, i) + b : load(x, i);
                d = v > 0.0f ? grad : Slopes ? a * grad : 0.0f;
                if (Slopes && v <= 0.0f) da += double(grad) * v;
            }
            if (dx) store(dx, i, d);
            if (Biased) db += d;
        }
    }
    lanes_a[threadIdx.y][threadIdx.x] = da;
    lanes_b[threadIdx.y][threadIdx.x] = db;
    __syncthreads();
    if (threadIdx.y != 0 || c >= channels) return;
    da = db = 0;
    for (int lane = 0; lane < row_lanes; ++lane)
        da += lanes_a[lane][threadIdx.x], db += lanes_b[lane][threadIdx.x];
    const std::size_t slot = std::size_t(c) * gridDim.y + blockIdx.y;
    if (Slopes) alpha_partials[slot] = da;
    if (Biased) bias_partials[slot] = db;
}

template <bool Activated, bool Biased, bool Slopes, class T>
void launch_channels_last(std::size_t rows, int channels, const channels_last_split& split, const T* x,
                          const float* bias, const float* alpha, const T* dy, T* dx, double* alpha_partials,
                          double* bias_partials) {
    JHR_CUDA_LAUNCH((channels_last_backward_kernel<Activated, Biased, Slopes, T>),
                    dim3(unsigned((channels + channel_tile - 1) / channel_tile), unsigned(split.groups)),
                    dim3(channel_tile, row_lanes), rows, channels, split.rows_per_group, x, bias, alpha, dy,
                    dx, alpha_partials, bias_partials);
}

// The rows of g's nhwc form: one per sample and pixel.
std::size_t rows_of(const channel_geometry& g) {
    return std::size_t(g.batch) * std::size_t(g.spatial);
}

// The partial sums per channel g's backward kernel writes: one per group of samples (nchw) or of
// rows (nhwc).
std::size_t backward_groups(const channel_geometry& g) {
    return channels_last(g.data_layout) ? channels_last_split(rows_of(g)).groups
                                        : std::size_t(prelu_backward_split(g).groups);
}

// PReLU backward's kernel for g's layout.
template <bool Biased, bool Slopes>
void launch_backward(const channel_geometry& g, const float* x, const float* bias, const float* alpha,
                     const float* dy, float* dx, double* alpha_partials, double* bias_partials) {
    if (channels_last(g.data_layout))
        return with_elements(g.data_layout, [&](auto element) {
            using T = decltype(element);
            launch_channels_last<true, Biased, Slopes>(
                rows_of(g), g.channels, channels_last_split(rows_of(g)), elements<T>(x), bias, alpha,
                elements<T>(dy), elements<T>(dx), alpha_partials, bias_partials);
        });
    const prelu_backward_split split(g);
    JHR_CUDA_LAUNCH((prelu_backward_kernel<Biased, Slopes>),
                    dim3(unsigned(g.channels), unsigned(split.groups)), cuda_detail::block_size, g,
                    split.samples_per_block, x, bias, alpha, dy, dx, alpha_partials, bias_partials);
}

// y = prelu(x + bias[c]) + skip (no bias where it is null, a ReLU without alpha, no skip where it
// is null), for `function`.
void run_prelu_forward(const char* function, const channel_geometry& g, const float* x, const float* bias,
                       const float* alpha, float* y, const float* skip = nullptr) {
    cuda_detail::expect_cuda_layout(g.data_layout, function);
    with_elements(g.data_layout, [&](auto element) {
        using T = decltype(element);
        cuda_detail::for_each(g.size(), prelu_forward_op<T>{std::size_t(g.channels), std::size_t(g.spatial),
                                                            channels_last(g.data_layout), elements<T>(x),
                                                            bias, alpha, elements<T>(skip), elements<T>(y)});
    });
}

// dx and, where their pointers are not null, dalpha and dbias of y = prelu(x + bias[c]) (a ReLU
// without alpha), for `function`.
void run_prelu_backward(const char* function, const channel_geometry& g, const float* x, const float* bias,
                        const float* alpha, const float* dy, float* dx, float* dbias, float* dalpha) {
    cuda_detail::expect_cuda_layout(g.data_layout, function);
    if (g.channels == 0) return;
    const std::size_t groups = backward_groups(g), slots = std::size_t(g.channels) * groups;
    cuda_buffer<double> partials((alpha ? slots : 0) + (bias ? slots : 0));
    double *alpha_partials = partials.data(), *bias_partials = partials.data() + (alpha ? slots : 0);
    if (groups > 0) {
        if (bias && alpha)
            launch_backward<true, true>(g, x, bias, alpha, dy, dx, alpha_partials, bias_partials);
        else if (bias)
            launch_backward<true, false>(g, x, bias, alpha, dy, dx, alpha_partials, bias_partials);
        else
            launch_backward<false, true>(g, x, bias, alpha, dy, dx, alpha_partials, bias_partials);
    }
    // Each channel's totals, one launch for both: the sums of its partials (0 for an empty batch); the
    // bias partials follow the slopes'.
    const unsigned channels = unsigned(g.channels), totals = (alpha ? channels : 0) + (bias ? channels : 0);
    JHR_CUDA_LAUNCH(cuda_detail::totals_kernel, totals, cuda_detail::block_size, unsigned(groups),
                    partials.data(), alpha ? dalpha : dbias, channels, dbias);
}

// Where pixel p (row-major within its plane) of plane (sample, channel) lies in memory, and the
// inverse, for a tensor of `pixels` pixels per plane in the geometry's layout (nchw or nhwc).
struct plane_indexing {
    std::size_t channels;
    bool channels_last;
    __device__ std::size_t at(std::size_t plane, std::size_t pixels, std::size_t p) const {
        return channels_last ? ((plane / channels) * pixels + p) * channels + plane % channels
                             : plane * pixels + p;
    }
    // The plane and pixel of element i.
    __device__ void split(std::size_t i, std::size_t pixels, std::size_t& plane, std::size_t& p) const {
        if (channels_last) {
            const std::size_t c = i % channels, rest = i / channels;
            plane = (rest / pixels) * channels + c, p = rest % pixels;
        } else {
            plane = i / pixels, p = i % pixels;
        }
    }
};

// One thread per output: the first maximum of its window in row-major order, as the reference.
template <class T>
struct max_pool_forward_op {
    pool2d_geometry g;
    plane_indexing indexing;
    const T* x;
    T* y;
    float* workspace;
    __device__ void operator()(std::size_t out) const {
        const int oh = g.out_height(), ow = g.out_width();
        const std::size_t in_pixels = std::size_t(g.in_height) * g.in_width;
        std::size_t plane, p;
        indexing.split(out, std::size_t(oh) * ow, plane, p);
        const int ox = int(p % ow), oy = int(p / ow);
        float best = -INFINITY;
        int best_index = 0;
        for (int i = 0; i < g.window; ++i)
            for (int j = 0; j < g.window; ++j) {
                const int index = (oy * g.stride + i) * g.in_width + ox * g.stride + j;
                const float v = load(x, indexing.at(plane, in_pixels, std::size_t(index)));
                if (v > best) best = v, best_index = index;
            }
        store(y, out, best);
        workspace[out] = float(best_index);
    }
};

// One thread per input: sums dy over the outputs whose window covers it and chose it.
template <class T>
struct max_pool_backward_op {
    pool2d_geometry g;
    plane_indexing indexing;
    const float* workspace;
    const T* dy;
    T* dx;
    __device__ void operator()(std::size_t in) const {
        const int oh = g.out_height(), ow = g.out_width();
        std::size_t plane, p;
        indexing.split(in, std::size_t(g.in_height) * g.in_width, plane, p);
        const int ix = int(p % g.in_width), iy = int(p / g.in_width);
        const float index = float(iy * g.in_width + ix);
        const int oy_first = iy < g.window ? 0 : (iy - g.window) / g.stride + 1;
        const int ox_first = ix < g.window ? 0 : (ix - g.window) / g.stride + 1;
        const int oy_last = min(iy / g.stride, oh - 1), ox_last = min(ix / g.stride, ow - 1);
        float grad = 0.0f;
        for (int oy = oy_first; oy <= oy_last; ++oy)
            for (int ox = ox_first; ox <= ox_last; ++ox) {
                const std::size_t out = indexing.at(plane, std::size_t(oh) * ow, std::size_t(oy) * ow + ox);
                if (workspace[out] == index) grad += load(dy, out);
            }
        store(dx, in, grad);
    }
};

void check(const pool2d_geometry& g, const char* function) {
    if (g.batch < 0 || g.channels < 0 || g.window < 1 || g.stride < 1 || g.in_height < g.window ||
        g.in_width < g.window)
        throw backend_error(where(std::string("cuda ") + function + ": impossible geometry, input " +
                                  g.input().str() + ", window " + std::to_string(g.window) + ", stride " +
                                  std::to_string(g.stride)));
}

} // namespace

using cuda_detail::for_each;

void cuda_activation::relu_forward(std::size_t n, const float* x, float* y) {
    for_each(n, relu_forward_op{x, y});
}
void cuda_activation::relu_backward(std::size_t n, const float* x, const float* dy, float* dx) {
    for_each(n, relu_backward_op{x, dy, dx});
}
void cuda_activation::prelu_forward(const channel_geometry& g, const float* x, const float* alpha, float* y) {
    run_prelu_forward("prelu_forward", g, x, nullptr, alpha, y);
}
void cuda_activation::prelu_backward(const channel_geometry& g, const float* x, const float* alpha,
                                     const float* dy, float* dx, float* dalpha) {
    run_prelu_backward("prelu_backward", g, x, nullptr, alpha, dy, dx, nullptr, dalpha);
}
void cuda_activation::bias_prelu_forward(const channel_geometry& g, const float* z, const float* bias,
                                         const float* alpha, float* y) {
    run_prelu_forward("bias_prelu_forward", g, z, bias, alpha, y);
}
void cuda_activation::bias_prelu_backward(const channel_geometry& g, const float* z, const float* bias,
                                          const float* alpha, const float* dy, float* dx, float* dbias,
                                          float* dalpha) {
    run_prelu_backward("bias_prelu_backward", g, z, bias, alpha, dy, dx, dbias, dalpha);
}
void cuda_activation::bias_prelu_residual_forward(const channel_geometry& g, const float* z,
                                                  const float* bias, const float* alpha, const float* skip,
                                                  float* y) {
    run_prelu_forward("bias_prelu_residual_forward", g, z, bias, alpha, y, skip);
}
void cuda_activation::bias_relu_forward(const channel_geometry& g, const float* z, const float* bias,
                                        float* y) {
    run_prelu_forward("bias_relu_forward", g, z, bias, nullptr, y);
}
void cuda_activation::bias_relu_backward(const channel_geometry& g, const float* z, const float* bias,
                                         const float* dy, float* dx, float* dbias) {
    run_prelu_backward("bias_relu_backward", g, z, bias, nullptr, dy, dx, dbias, nullptr);
}

void cuda_pooling::max_pool2d_forward(const pool2d_geometry& g, const float* x, float* y, float* workspace) {
    cuda_detail::expect_cuda_layout(g.data_layout, "max_pool2d_forward");
    check(g, "max_pool2d_forward");
    const plane_indexing indexing{std::size_t(g.channels), channels_last(g.data_layout)};
    with_elements(g.data_layout, [&](auto element) {
        using T = decltype(element);
        for_each(g.output().size(),
                 max_pool_forward_op<T>{g, indexing, elements<T>(x), elements<T>(y), workspace});
    });
}
void cuda_pooling::max_pool2d_backward(const pool2d_geometry& g, const float* workspace, const float* dy,
                                       float* dx) {
    cuda_detail::expect_cuda_layout(g.data_layout, "max_pool2d_backward");
    check(g, "max_pool2d_backward");
    const plane_indexing indexing{std::size_t(g.channels), channels_last(g.data_layout)};
    with_elements(g.data_layout, [&](auto element) {
        using T = decltype(element);
        for_each(g.input().size(),
                 max_pool_backward_op<T>{g, indexing, workspace, elements<T>(dy), elements<T>(dx)});
    });
}

template <class T>
void cuda_detail::channel_sums(std::size_t rows, int channels, const T* x, float* sums) {
    if (channels == 0) return;
    const channels_last_split split(rows);
    cuda_buffer<double> partials(std::size_t(channels) * split.groups);
    if (split.groups > 0)
        launch_channels_last<false, true, false, T>(rows, channels, split, nullptr, nullptr, nullptr, x,
                                                    nullptr, nullptr, partials.data());
    JHR_CUDA_LAUNCH(cuda_detail::totals_kernel, unsigned(channels), cuda_detail::block_size,
                    unsigned(split.groups), partials.data(), sums);
}

template void cuda_detail::channel_sums(std::size_t, int, const float*, float*);
template void cuda_detail::channel_sums(std::size_t, int, const bfloat16_bits*, float*);

} // namespace jhr::backends
