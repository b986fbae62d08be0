// The backends every typed test runs on. JHR_TYPED_TEST("name", B) { ... } defines one test case
// per host backend built (reference, onednn) and, when the CUDA backend is built, one on jhr::cuda
// that doctest reports as skipped where no GPU is usable. Test names end in <backend>.
#pragma once

#include "jhr/backends/reference.hpp"
#include "jhr/backends/reference/host_allocator.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <type_traits>

#if defined(JHR_HAVE_ONEDNN)
#include "jhr/backends/onednn.hpp"
#define JHR_HOST_TEST_BACKENDS jhr::reference, jhr::onednn
#else
#define JHR_HOST_TEST_BACKENDS jhr::reference
#endif

#if defined(JHR_HAVE_CUDA)
#include "jhr/backends/cuda.hpp"
#define JHR_CUDA_TYPED_TEST(name, body)                                                                      \
    TEST_CASE(name "<jhr::cuda>" * doctest::skip(!jhr::cuda::available())) {                                 \
        body<jhr::cuda>();                                                                                   \
    }
#else
#define JHR_CUDA_TYPED_TEST(name, body)
#endif

#define JHR_TYPED_TEST(name, B) JHR_TYPED_TEST_WITH_BODY(name, B, DOCTEST_ANONYMOUS(jhr_typed_test_body_))
#define JHR_TYPED_TEST_WITH_BODY(name, B, body)                                                              \
    template <class B>                                                                                       \
    static void body();                                                                                      \
    TEST_CASE_TEMPLATE(name, B, JHR_HOST_TEST_BACKENDS) {                                                    \
        body<B>();                                                                                           \
    }                                                                                                        \
    JHR_CUDA_TYPED_TEST(name, body)                                                                          \
    template <class B>                                                                                       \
    static void body()

namespace jhr::testing {

// Storage blocks backend B has taken from the system so far: host blocks for the host backends,
// cudaMalloc calls for CUDA.
template <class B>
std::size_t storage_blocks_from_system() {
#if defined(JHR_HAVE_CUDA)
    if constexpr (std::is_same_v<B, jhr::cuda>)
        return jhr::cuda::allocator_statistics().allocations;
    else
#endif
        return jhr::backends::host_block_cache::instance().blocks_from_system();
}

} // namespace jhr::testing
