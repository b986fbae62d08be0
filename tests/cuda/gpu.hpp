// Helpers for the CUDA suite: skipping visibly without a GPU, and moving std::vectors to and from
// device buffers.
#pragma once

#include "jhr/backends/cuda.hpp"

#include <doctest/doctest.h>

#include <span>
#include <vector>

// Ends the current test case with a visible message when no GPU is usable.
#define JHR_REQUIRE_GPU()                                                                                    \
    do {                                                                                                     \
        if (!jhr::cuda::available()) {                                                                       \
            MESSAGE("skipped: no GPU");                                                                      \
            return;                                                                                          \
        }                                                                                                    \
    } while (false)

namespace jhr::testing {

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
