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
// depend on the thread count.
#pragma once

#include "jhr/core/geometry.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace jhr::backends {

struct onednn_host_parallel {
    // Below this many elements a loop stays on the calling thread (an OpenMP region costs more).
    static constexpr std::size_t parallel_threshold = std::size_t(1) << 18;

    static void prelu_forward(const channel_geometry& g, const float* x, const float* alpha, float* y) {
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
};

} // namespace jhr::backends
