// Activation and pooling kernels: jhr/backends/cuda/activation.hpp and jhr/backends/cuda/pooling.hpp.
#include "jhr/backends/cuda/activation.hpp"
#include "jhr/backends/cuda/pooling.hpp"

#include "launch.cuh"

#include <algorithm>
#include <string>

namespace jhr::backends {
namespace {

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
// outside a residual unit.
struct prelu_forward_op {
    std::size_t channels, spatial;
    const float *x, *bias, *alpha, *skip;
    float* y;
    __device__ void operator()(std::size_t i) const {
        const std::size_t c = i / spatial % channels;
        const float v = bias ? x[i] + bias[c] : x[i];
        const float activated = v > 0.0f ? v : alpha ? alpha[c] * v : 0.0f;
        y[i] = skip ? activated + skip[i] : activated;
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

template <bool Biased, bool Slopes>
void launch_backward(const channel_geometry& g, const prelu_backward_split& split, const float* x,
                     const float* bias, const float* alpha, const float* dy, float* dx,
                     double* alpha_partials, double* bias_partials) {
    JHR_CUDA_LAUNCH((prelu_backward_kernel<Biased, Slopes>),
                    dim3(unsigned(g.channels), unsigned(split.groups)), cuda_detail::block_size, g,
                    split.samples_per_block, x, bias, alpha, dy, dx, alpha_partials, bias_partials);
}

// y = prelu(x + bias[c]) + skip (no bias where it is null, a ReLU without alpha, no skip where it
// is null), for `function`.
void run_prelu_forward(const char* function, const channel_geometry& g, const float* x, const float* bias,
                       const float* alpha, float* y, const float* skip = nullptr) {
    expect_nchw(g, "cuda", function);
    cuda_detail::for_each(
        g.size(), prelu_forward_op{std::size_t(g.channels), std::size_t(g.spatial), x, bias, alpha, skip, y});
}

// dx and, where their pointers are not null, dalpha and dbias of y = prelu(x + bias[c]) (a ReLU
// without alpha), for `function`.
void run_prelu_backward(const char* function, const channel_geometry& g, const float* x, const float* bias,
                        const float* alpha, const float* dy, float* dx, float* dbias, float* dalpha) {
    expect_nchw(g, "cuda", function);
    if (g.channels == 0) return;
    const prelu_backward_split split(g);
    const std::size_t slots = std::size_t(g.channels) * std::size_t(split.groups);
    cuda_buffer<double> partials((alpha ? slots : 0) + (bias ? slots : 0));
    double *alpha_partials = partials.data(), *bias_partials = partials.data() + (alpha ? slots : 0);
    if (split.groups > 0) {
        if (bias && alpha)
            launch_backward<true, true>(g, split, x, bias, alpha, dy, dx, alpha_partials, bias_partials);
        else if (bias)
            launch_backward<true, false>(g, split, x, bias, alpha, dy, dx, alpha_partials, bias_partials);
        else
            launch_backward<false, true>(g, split, x, bias, alpha, dy, dx, alpha_partials, bias_partials);
    }
    // Each channel's totals, one launch for both: the sums of its partials (0 for an empty batch); the
    // bias partials follow the slopes'.
    const unsigned channels = unsigned(g.channels), totals = (alpha ? channels : 0) + (bias ? channels : 0);
    JHR_CUDA_LAUNCH(cuda_detail::totals_kernel, totals, cuda_detail::block_size, unsigned(split.groups),
                    partials.data(), alpha ? dalpha : dbias, channels, dbias);
}

// One thread per output: the first maximum of its window in row-major order, as the reference.
struct max_pool_forward_op {
    pool2d_geometry g;
    const float* x;
    float* y;
    float* workspace;
    __device__ void operator()(std::size_t out) const {
        const int oh = g.out_height(), ow = g.out_width();
        const int ox = int(out % ow), oy = int(out / ow % oh);
        const std::size_t plane = out / (std::size_t(ow) * oh);
        const float* xp = x + plane * g.in_height * g.in_width;
        float best = -INFINITY;
        int best_index = 0;
        for (int i = 0; i < g.window; ++i)
            for (int j = 0; j < g.window; ++j) {
                const int index = (oy * g.stride + i) * g.in_width + ox * g.stride + j;
                if (xp[index] > best) best = xp[index], best_index = index;
            }
        y[out] = best;
        workspace[out] = float(best_index);
    }
};

// One thread per input: sums dy over the outputs whose window covers it and chose it.
struct max_pool_backward_op {
    pool2d_geometry g;
    const float *workspace, *dy;
    float* dx;
    __device__ void operator()(std::size_t in) const {
        const int oh = g.out_height(), ow = g.out_width();
        const int ix = int(in % g.in_width), iy = int(in / g.in_width % g.in_height);
        const std::size_t plane = in / (std::size_t(g.in_width) * g.in_height);
        const float index = float(iy * g.in_width + ix);
        const int oy_first = iy < g.window ? 0 : (iy - g.window) / g.stride + 1;
        const int ox_first = ix < g.window ? 0 : (ix - g.window) / g.stride + 1;
        const int oy_last = min(iy / g.stride, oh - 1), ox_last = min(ix / g.stride, ow - 1);
        float grad = 0.0f;
        for (int oy = oy_first; oy <= oy_last; ++oy)
            for (int ox = ox_first; ox <= ox_last; ++ox) {
                const std::size_t out = (plane * oh + oy) * ow + ox;
                if (workspace[out] == index) grad += dy[out];
            }
        dx[in] = grad;
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
    expect_nchw(g, "cuda", "max_pool2d_forward");
    check(g, "max_pool2d_forward");
    for_each(g.output().size(), max_pool_forward_op{g, x, y, workspace});
}
void cuda_pooling::max_pool2d_backward(const pool2d_geometry& g, const float* workspace, const float* dy,
                                       float* dx) {
    expect_nchw(g, "cuda", "max_pool2d_backward");
    check(g, "max_pool2d_backward");
    for_each(g.input().size(), max_pool_backward_op{g, workspace, dy, dx});
}

} // namespace jhr::backends
