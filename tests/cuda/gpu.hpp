// Helpers for the CUDA suite: skipping (reported by doctest as skipped) without a GPU, moving
// std::vectors to and from device buffers, and setting the backend's precision or determinism for a
// scope.
#pragma once

#include "jhr/backends/cuda.hpp"

#include <doctest/doctest.h>

#include <span>
#include <vector>

namespace jhr::testing {

// Decorates a test case that needs a GPU: doctest reports it as skipped where none is usable.
inline doctest::skip needs_gpu() {
    return doctest::skip(!jhr::cuda::available());
}

// The bound of a TF32 result against the fp32 reference (the 1e-4 of agreement_tolerance for fp32).
inline constexpr double tf32_tolerance = 3e-3;

// Sets the CUDA backend's precision for a scope.
using precision_scope = jhr::precision_scope<jhr::cuda>;

// Makes the CUDA backend's convolutions deterministic (or not) for a scope.
class deterministic_scope {
public:
    explicit deterministic_scope(bool on) : saved_(jhr::cuda::deterministic()) {
        jhr::cuda::set_deterministic(on);
    }
    deterministic_scope(const deterministic_scope&) = delete;
    deterministic_scope& operator=(const deterministic_scope&) = delete;
    ~deterministic_scope() { jhr::cuda::set_deterministic(saved_); }

private:
    bool saved_;
};

template <class T>
cuda::buffer<T> to_device(const std::vector<T>& host) {
    cuda::buffer<T> device(host.size());
    cuda::upload(std::span<const T>(host), device.data());
    return device;
}

template <class T>
std::vector<T> to_host(const cuda::buffer<T>& device) {
    std::vector<T> host(device.size());
    cuda::download(device.data(), std::span<T>(host));
    return host;
}

} // namespace jhr::testing
