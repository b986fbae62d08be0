// jhr/backends/onednn/host_parallel.hpp: the element-wise primitives the oneDNN backend runs as
// vectorised host loops on oneDNN's OpenMP pool, with the reference semantics:
//   prelu forward:  y = x for x > 0, alpha[c] * x otherwise ([batch, channels, spatial]);
//   prelu backward: dx = dy for x > 0, alpha[c] * dy otherwise; dalpha[c] = sum of dy * x where
//                   x <= 0 over batch and pixels (written; summed per plane in float, then in double);
//   add:            y = a + b;
//   sgd:            v = momentum * v + lr * (dw + weight_decay * w), w -= v (Caffe's form).
// Why not oneDNN: its 2.6 prelu backward reduces dalpha slowly (tens of ms on a 2 MB tensor) and
// each oneDNN call opens an OpenMP region even for small tensors. Here tensors under
// parallel_threshold elements run on the calling thread, larger ones split over channels or
// chunks; every output element is computed by one thread in a fixed order, so results do not
// depend on the thread count. PReLU also runs on nChw16c ([batch][channels / 16][spatial][16]),
// vectorised across the 16 channels of a block, and on nhwc ([batch][spatial][channels]), where
// dalpha is summed per run of nhwc_chunk pixels in float, then over the runs in double.
#pragma once

#include "jhr/core/geometry.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace jhr::backends {

struct onednn_host_parallel {
    // Below this many elements a loop stays on the calling thread (an OpenMP region costs more).
    static constexpr std::size_t parallel_threshold = std::size_t(1) << 18;
    static constexpr int block = 16;                // channels per nChw16c block
    static constexpr std::int64_t nhwc_chunk = 256; // pixels per partial dalpha sum on nhwc

    static void prelu_forward(const channel_geometry& g, const float* x, const float* alpha, float* y) {
        if (g.data_layout == layout::nchw16c) return prelu_forward_blocked(g, x, alpha, y);
        if (g.data_layout == layout::nhwc) return prelu_forward_nhwc(g, x, alpha, y);
        const std::int64_t planes = std::int64_t(g.batch) * g.channels, spatial = g.spatial;
#pragma omp parallel for schedule(static) if (g.size() >= parallel_threshold)
        for (std::int64_t p = 0; p < planes; ++p) {
            const float a = alpha[p % g.channels];
            const float* xp = x + p * spatial;
            float* yp = y + p * spatial;
#pragma omp simd
            for (std::int64_t s = 0; s < spatial; ++s) yp[s] = xp[s] > 0.0f ? xp[s] : a * xp[s];
        }
    }

    static void prelu_backward(const channel_geometry& g, const float* x, const float* alpha, const float* dy,
                               float* dx, float* dalpha) {
        if (g.data_layout == layout::nchw16c) return prelu_backward_blocked(g, x, alpha, dy, dx, dalpha);
        if (g.data_layout == layout::nhwc) return prelu_backward_nhwc(g, x, alpha, dy, dx, dalpha);
        const std::int64_t spatial = g.spatial, plane_stride = std::int64_t(g.channels) * spatial;
#pragma omp parallel for schedule(static) if (g.size() >= parallel_threshold)
        for (int c = 0; c < g.channels; ++c) {
            const float a = alpha[c];
            double total = 0.0;
            for (int b = 0; b < g.batch; ++b) {
                const std::int64_t offset = b * plane_stride + c * spatial;
                const float *xp = x + offset, *dyp = dy + offset;
                float* dxp = dx + offset;
                float plane = 0.0f;
#pragma omp simd reduction(+ : plane)
                for (std::int64_t s = 0; s < spatial; ++s) {
                    const bool positive = xp[s] > 0.0f;
                    dxp[s] = positive ? dyp[s] : a * dyp[s];
                    plane += positive ? 0.0f : dyp[s] * xp[s];
                }
                total += plane;
            }
            dalpha[c] = float(total);
        }
    }

    static void add(std::size_t n, const float* a, const float* b, float* y) {
        const auto count = std::int64_t(n);
#pragma omp parallel for simd schedule(static) if (n >= parallel_threshold)
        for (std::int64_t i = 0; i < count; ++i) y[i] = a[i] + b[i];
    }

    static void sgd_momentum_update(std::size_t n, float lr, float momentum, float weight_decay, float* w,
                                    const float* dw, float* velocity) {
        const auto count = std::int64_t(n);
#pragma omp parallel for simd schedule(static) if (n >= parallel_threshold)
        for (std::int64_t i = 0; i < count; ++i) {
            velocity[i] = momentum * velocity[i] + lr * (dw[i] + weight_decay * w[i]);
            w[i] -= velocity[i];
        }
    }

private:
    static void prelu_forward_blocked(const channel_geometry& g, const float* x, const float* alpha,
                                      float* y) {
        const std::int64_t blocks = g.channels / block, planes = std::int64_t(g.batch) * blocks,
                           plane = std::int64_t(g.spatial) * block;
#pragma omp parallel for schedule(static) if (g.size() >= parallel_threshold)
        for (std::int64_t p = 0; p < planes; ++p) {
            const float* a = alpha + (p % blocks) * block;
            const float* xp = x + p * plane;
            float* yp = y + p * plane;
            for (std::int64_t s = 0; s < plane; s += block)
#pragma omp simd
                for (int c = 0; c < block; ++c) yp[s + c] = xp[s + c] > 0.0f ? xp[s + c] : a[c] * xp[s + c];
        }
    }

    static void prelu_backward_blocked(const channel_geometry& g, const float* x, const float* alpha,
                                       const float* dy, float* dx, float* dalpha) {
        const std::int64_t blocks = g.channels / block, plane = std::int64_t(g.spatial) * block;
#pragma omp parallel for schedule(static) if (g.size() >= parallel_threshold)
        for (std::int64_t cb = 0; cb < blocks; ++cb) {
            const float* a = alpha + cb * block;
            double total[block] = {};
            for (int b = 0; b < g.batch; ++b) {
                const std::int64_t offset = (b * blocks + cb) * plane;
                const float *xp = x + offset, *dyp = dy + offset;
                float* dxp = dx + offset;
                float sums[block] = {};
                for (std::int64_t s = 0; s < plane; s += block)
#pragma omp simd
                    for (int c = 0; c < block; ++c) {
                        const bool positive = xp[s + c] > 0.0f;
                        dxp[s + c] = positive ? dyp[s + c] : a[c] * dyp[s + c];
                        sums[c] += positive ? 0.0f : dyp[s + c] * xp[s + c];
                    }
                for (int c = 0; c < block; ++c) total[c] += sums[c];
            }
            for (int c = 0; c < block; ++c) dalpha[cb * block + c] = float(total[c]);
        }
    }

    static void prelu_forward_nhwc(const channel_geometry& g, const float* x, const float* alpha, float* y) {
        const std::int64_t pixels = std::int64_t(g.batch) * g.spatial, channels = g.channels;
#pragma omp parallel for schedule(static) if (g.size() >= parallel_threshold)
        for (std::int64_t p = 0; p < pixels; ++p) {
            const float* xp = x + p * channels;
            float* yp = y + p * channels;
#pragma omp simd
            for (std::int64_t c = 0; c < channels; ++c) yp[c] = xp[c] > 0.0f ? xp[c] : alpha[c] * xp[c];
        }
    }

    static void prelu_backward_nhwc(const channel_geometry& g, const float* x, const float* alpha,
                                    const float* dy, float* dx, float* dalpha) {
        const std::int64_t pixels = std::int64_t(g.batch) * g.spatial, channels = g.channels,
                           chunks = (pixels + nhwc_chunk - 1) / nhwc_chunk;
        thread_local std::vector<float> partial_sums;
        partial_sums.assign(std::size_t(chunks * channels), 0.0f);
        float* const partial = partial_sums.data();
#pragma omp parallel for schedule(static) if (g.size() >= parallel_threshold)
        for (std::int64_t k = 0; k < chunks; ++k) {
            float* sums = partial + k * channels;
            for (std::int64_t p = k * nhwc_chunk; p < std::min(pixels, (k + 1) * nhwc_chunk); ++p) {
                const std::int64_t offset = p * channels;
                const float *xp = x + offset, *dyp = dy + offset;
                float* dxp = dx + offset;
#pragma omp simd
                for (std::int64_t c = 0; c < channels; ++c) {
                    const bool positive = xp[c] > 0.0f;
                    dxp[c] = positive ? dyp[c] : alpha[c] * dyp[c];
                    sums[c] += positive ? 0.0f : dyp[c] * xp[c];
                }
            }
        }
        for (std::int64_t c = 0; c < channels; ++c) {
            double total = 0.0;
            for (std::int64_t k = 0; k < chunks; ++k) total += partial[k * channels + c];
            dalpha[c] = float(total);
        }
    }
};

} // namespace jhr::backends
