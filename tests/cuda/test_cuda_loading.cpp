// jhr/backends/cuda/device.hpp, run as its own process: linking the backend does not load cuBLAS
// (and with it cuBLASLt's ~210 MiB), nor does a convolution; its first use does. Only the
// convolution needs a GPU. The test cases run in file order: the last one loads cuBLAS.
#include "gpu.hpp"

#include "jhr/core/tensor.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <string>

namespace {

bool mapped(const std::string& library) {
    std::ifstream maps("/proc/self/maps");
    std::stringstream text;
    text << maps.rdbuf();
    return text.str().find(library) != std::string::npos;
}

} // namespace

TEST_CASE("a convolution runs without loading cuBLAS" * jhr::testing::needs_gpu()) {
    const jhr::conv2d_geometry g{.batch = 1,
                                 .in_channels = 3,
                                 .in_height = 12,
                                 .in_width = 10,
                                 .out_channels = 4,
                                 .kernel = 3,
                                 .stride = 1,
                                 .pad = 1};
    const auto x = jhr::testing::to_device(std::vector<float>(g.input().size(), 1.0f));
    const auto w = jhr::testing::to_device(std::vector<float>(g.weight().size(), 0.5f));
    jhr::cuda::buffer<float> y(g.output().size());
    jhr::cuda::conv2d_forward(g, x.data(), w.data(), nullptr, y.data());
    CHECK(jhr::testing::to_host(y)[5 * 10 + 5] == doctest::Approx(13.5)); // inside: 27 taps x 0.5
    CHECK_FALSE(mapped("libcublas"));
}

TEST_CASE("cuBLAS is loaded at its first use, not at program start") {
    REQUIRE(std::ifstream("/proc/self/maps").good());
    (void)jhr::cuda::available();
    jhr::tensor<jhr::cuda> empty; // the backend's types and queries need no cuBLAS
    CHECK_FALSE(mapped("libcublas"));

    const std::string version = jhr::cuda::blas_version();
    MESSAGE("cuBLAS " << version);
    REQUIRE(!version.empty());
    CHECK(std::isdigit(static_cast<unsigned char>(version.front())));
    CHECK(version.find('.') != std::string::npos);
    CHECK(mapped("libcublas.so"));
    CHECK(mapped("libcublasLt.so"));
}
