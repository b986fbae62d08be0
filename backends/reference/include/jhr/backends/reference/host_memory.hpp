// jhr/backends/reference/host_memory.hpp: host-memory buffers, transfers, element-wise arithmetic
// and reductions, written as plain loops. Shared by every backend whose memory is the host's.
#pragma once

#include "jhr/backends/reference/host_allocator.hpp"

#include <xtensor/xstorage.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

namespace jhr::backends {

struct host_memory {
    // Uninitialised host array: xtensor's uvector (no value-initialisation on resize), its large
    // blocks cached for reuse when freed (host_allocator.hpp).
    template <class T>
    using buffer = xt::uvector<T, caching_host_allocator<T>>;

    template <class T>
    static void upload(std::span<const T> host, T* dst) {
        std::copy(host.begin(), host.end(), dst);
    }
    template <class T>
    static void download(const T* src, std::span<T> host) {
        std::copy(src, src + host.size(), host.begin());
    }
    static void copy(std::size_t n, const float* src, float* dst) { std::copy(src, src + n, dst); }
    static void fill(std::size_t n, float value, float* dst) { std::fill(dst, dst + n, value); }

    static void add(std::size_t n, const float* a, const float* b, float* y) {
        for (std::size_t i = 0; i < n; ++i) y[i] = a[i] + b[i];
    }
    static void scale(std::size_t n, float alpha, float* x) {
        for (std::size_t i = 0; i < n; ++i) x[i] *= alpha;
    }
    static void axpy(std::size_t n, float alpha, const float* x, float* y) {
        for (std::size_t i = 0; i < n; ++i) y[i] += alpha * x[i];
    }
    // Sums accumulate in double.
    static double sum(std::size_t n, const float* x) {
        double s = 0;
        for (std::size_t i = 0; i < n; ++i) s += x[i];
        return s;
    }
    static double dot(std::size_t n, const float* x, const float* y) {
        double s = 0;
        for (std::size_t i = 0; i < n; ++i) s += double(x[i]) * double(y[i]);
        return s;
    }
    // Host work is finished when a call returns.
    static void synchronize() {}
};

} // namespace jhr::backends
