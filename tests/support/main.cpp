// The test runner: doctest's, plus one line saying why the GPU test cases are skipped where the
// CUDA backend is built but no GPU is usable.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#if defined(JHR_HAVE_CUDA)
#include "jhr/backends/cuda.hpp"

#include <iostream>
#endif

int main(int argc, char** argv) {
#if defined(JHR_HAVE_CUDA)
    if (!jhr::cuda::available())
        std::cout << "[jhr] skipped: no GPU (jhr::cuda::available() is false); the <jhr::cuda> and "
                     "GPU test cases are counted as skipped below\n";
#endif
    return doctest::Context(argc, argv).run();
}
