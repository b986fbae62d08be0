// jhr/backends/cuda.hpp and cuda/device.hpp: the backend satisfies the concept, reports whether a
// GPU is usable without throwing, fails loudly without one, and carries a tensor through a round trip.
#include "gpu.hpp"

#include "jhr/core/tensor.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

static_assert(jhr::Backend<jhr::cuda>);

TEST_CASE("cuda is named and reports availability without throwing") {
    CHECK(jhr::cuda::name == "cuda");
    const bool first = jhr::cuda::available();
    CHECK(jhr::cuda::available() == first);
    MESSAGE("GPU available: " << std::string(first ? "yes" : "no"));
}

TEST_CASE("convolutions are not deterministic by default, and the setting holds until changed") {
    CHECK_FALSE(jhr::cuda::deterministic());
    {
        const jhr::testing::deterministic_scope on(true);
        CHECK(jhr::cuda::deterministic());
    }
    CHECK_FALSE(jhr::cuda::deterministic());
}

TEST_CASE("without a GPU, device work throws a backend_error naming the CUDA call, file and line") {
    if (jhr::cuda::available()) {
        MESSAGE("skipped: a GPU is present");
        return;
    }
    try {
        jhr::cuda::buffer<float> buffer(16);
        FAIL("expected a backend_error");
    } catch (const jhr::backend_error& e) {
        const std::string message = e.what();
        INFO(message);
        CHECK(message.find("cudaMalloc of 512 bytes") != std::string::npos);
        CHECK(message.find("memory.cpp:") != std::string::npos);
        CHECK(message.find("failed: cuda") != std::string::npos);
    }
    CHECK_THROWS_AS(jhr::cuda::synchronize(), jhr::backend_error);
    CHECK_THROWS_AS(jhr::cuda::description(), jhr::backend_error);
}

TEST_CASE("an empty cuda buffer needs no device") {
    jhr::cuda::buffer<float> empty(0);
    CHECK(empty.data() == nullptr);
    CHECK(empty.size() == 0);
    jhr::cuda::buffer<float> moved(std::move(empty));
    CHECK(moved.data() == nullptr);
}

TEST_CASE("impossible geometries are refused before any device work") {
    std::vector<float> unused(1);
    // Kernel larger than the input; the second one's output size even rounds to 1 (C++ division).
    for (const jhr::conv2d_geometry conv :
         {jhr::conv2d_geometry{1, 1, 3, 3, 1, 5, 1, 0}, {1, 1, 3, 3, 1, 4, 2, 0}}) {
        CAPTURE(conv.kernel);
        try {
            jhr::cuda::conv2d_forward(conv, unused.data(), unused.data(), nullptr, unused.data());
            FAIL("expected a backend_error");
        } catch (const jhr::backend_error& e) {
            const std::string message = e.what();
            INFO(message);
            CHECK(message.find("cuda conv2d") != std::string::npos);
            CHECK(message.find("[1, 1, " + std::to_string(conv.kernel)) != std::string::npos);
            CHECK(message.find("convolution.cpp") != std::string::npos);
        }
    }
    const jhr::pool2d_geometry pool{1, 1, 1, 1, 2, 2}; // window larger than the input, output size 1
    try {
        jhr::cuda::max_pool2d_forward(pool, unused.data(), unused.data(), unused.data());
        FAIL("expected a backend_error");
    } catch (const jhr::backend_error& e) {
        const std::string message = e.what();
        INFO(message);
        CHECK(message.find("max_pool2d_forward") != std::string::npos);
        CHECK(message.find("window 2") != std::string::npos);
    }
}

TEST_CASE("cuda describes its device" * jhr::testing::needs_gpu()) {
    const std::string description = jhr::cuda::description();
    MESSAGE("device: " << description);
    CHECK(description.find(", sm_") != std::string::npos);
    CHECK(description.find("cuDNN 9") != std::string::npos);
}

TEST_CASE("a tensor<cuda> round-trips through device memory" * jhr::testing::needs_gpu()) {
    jhr::host_tensor h = jhr::host_tensor::from_shape({2, 3, 4, 5});
    for (std::size_t i = 0; i < h.size(); ++i) h.data()[i] = float(i) * 0.5f - 7.0f;
    auto t = jhr::tensor<jhr::cuda>::from_host(h);
    jhr::tensor<jhr::cuda> copy;
    copy.copy_from(t);
    t.fill(0.0f);
    const jhr::host_tensor back = copy.to_host();
    CHECK(back == h);
    const jhr::host_tensor zeros = t.to_host();
    CHECK(std::all_of(zeros.begin(), zeros.end(), [](float v) { return v == 0.0f; }));
    jhr::cuda::synchronize();
}
