// jhr/backends/cuda/device.hpp, run as its own process: linking the backend does not load cuBLAS
// (and with it cuBLASLt's ~210 MiB); its first use does. Needs no GPU.
#include "jhr/backends/cuda.hpp"
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
