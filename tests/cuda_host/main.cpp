// The runner of the host-executed CUDA suite: doctest's, after one line saying what runs.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <iostream>

int main(int argc, char** argv) {
    std::cout << "[jhr] the CUDA backend's own kernels and allocator, executed on the host (no GPU used)\n";
    return doctest::Context(argc, argv).run();
}
