// jhr/backends/cuda/dense.hpp against the reference: GEMM in all four transposition cases with
// beta 0 (old contents ignored, even NaN) and beta != 0, an empty inner dimension (C = beta C), at
// the paper's inner-product shapes; GEMM at tf32 precision within tf32_tolerance, and not equal to
// fp32 (so TF32 really ran); at bf16 within 1e-4 (GEMMs stay fp32 there). add_row_vector and sum_rows:
// test_cuda_rows.cpp.
#include "backends/agreement.hpp"
#include "gpu.hpp"

#include "jhr/backends/reference.hpp"

#include <doctest/doctest.h>

#include <limits>
#include <vector>

using jhr::testing::agreement_tolerance;
using jhr::testing::random_vector;
using jhr::testing::relative_difference;
using jhr::testing::to_device;
using jhr::testing::to_host;

namespace {

// Returns the GPU's C.
std::vector<float> check_gemm(const jhr::gemm_geometry& g, float alpha, float beta,
                              double tolerance = agreement_tolerance) {
    CAPTURE(g.trans_a);
    CAPTURE(g.trans_b);
    CAPTURE(g.m);
    CAPTURE(g.n);
    CAPTURE(g.k);
    CAPTURE(beta);
    CAPTURE(tolerance);
    std::mt19937 rng{unsigned(g.m * 7 + g.n * 3 + g.k)};
    const auto a = random_vector(std::size_t(g.m) * g.k, rng), b = random_vector(std::size_t(g.k) * g.n, rng);
    auto c = beta == 0.0f
                 ? std::vector<float>(std::size_t(g.m) * g.n, std::numeric_limits<float>::quiet_NaN())
                 : random_vector(std::size_t(g.m) * g.n, rng);
    const auto da = to_device(a), db = to_device(b);
    auto dc = to_device(c);
    jhr::reference::gemm(g, alpha, a.data(), b.data(), beta, c.data());
    jhr::cuda::gemm(g, alpha, da.data(), db.data(), beta, dc.data());
    auto result = to_host(dc);
    CHECK(relative_difference(result, c) < tolerance);
    return result;
}

} // namespace

TEST_CASE("cuda gemm agrees with the reference for every transposition, beta 0 and beta 0.5" *
          jhr::testing::needs_gpu()) {
    for (const bool trans_a : {false, true})
        for (const bool trans_b : {false, true})
            for (const float beta : {0.0f, 0.5f}) {
                check_gemm({trans_a, trans_b, 7, 5, 3}, 1.0f, beta);
                check_gemm({trans_a, trans_b, 33, 65, 129}, -0.5f, beta);
                check_gemm({trans_a, trans_b, 1, 1, 1}, 2.0f, beta);
                check_gemm({trans_a, trans_b, 4, 3, 0}, 1.0f,
                           beta); // e.g. a weight gradient of an empty batch
            }
}

TEST_CASE("cuda gemm at the paper's inner-product shapes (forward, input and weight gradients)" *
          jhr::testing::needs_gpu()) {
    // FRNET: features 512 from 512 x 5 x 4 inputs; classifier: 10575 CASIA identities from 512 features.
    check_gemm({false, true, 8, 512, 10240}, 1.0f, 0.0f);  // y = x W^T
    check_gemm({false, false, 8, 10240, 512}, 1.0f, 0.0f); // dx = dy W
    check_gemm({true, false, 512, 10240, 8}, 1.0f, 0.0f);  // dW = dy^T x
    check_gemm({false, true, 8, 10575, 512}, 1.0f, 0.0f);
    check_gemm({true, false, 10575, 512, 8}, 1.0f, 1.0f); // accumulated
}

TEST_CASE("cuda gemm at tf32 precision agrees within 3e-3 at the paper's inner-product shapes; fp32 again "
          "within 1e-4 afterwards" *
          jhr::testing::needs_gpu()) {
    const jhr::gemm_geometry shapes[] = {{false, true, 8, 512, 10240},
                                         {false, false, 8, 10240, 512},
                                         {true, false, 512, 10240, 8},
                                         {false, true, 8, 10575, 512}};
    std::vector<float> tf32_first;
    {
        const jhr::testing::precision_scope tf32(jhr::precision::tf32);
        for (const auto& g : shapes) check_gemm(g, 1.0f, 0.0f, jhr::testing::tf32_tolerance);
        tf32_first = check_gemm(shapes[0], 1.0f, 0.0f, jhr::testing::tf32_tolerance);
    }
    for (const auto& g : shapes) check_gemm(g, 1.0f, 0.0f);
    // TF32 rounds the 10240-long products' inputs to 10 mantissa bits: fp32 differs from it.
    CHECK(relative_difference(tf32_first, check_gemm(shapes[0], 1.0f, 0.0f)) > 1e-6);
}

TEST_CASE("cuda gemm at bf16 precision stays fp32: within 1e-4 at the paper's inner-product shapes" *
          jhr::testing::needs_gpu()) {
    const jhr::testing::precision_scope bf16(jhr::precision::bf16);
    check_gemm({false, true, 8, 512, 10240}, 1.0f, 0.0f);
    check_gemm({false, false, 8, 10240, 512}, 1.0f, 0.0f);
    check_gemm({true, false, 10575, 512, 8}, 1.0f, 1.0f);
}
