// jhr/backends/onednn/dense.hpp against the reference GEMM, row-vector helpers and add.
#include "agreement.hpp"

#include "jhr/backends/onednn.hpp"
#include "jhr/backends/reference.hpp"

#include <doctest/doctest.h>

#include <limits>
#include <vector>

using jhr::testing::random_vector;
using jhr::testing::relative_difference;

TEST_CASE("onednn gemm agrees with the reference for every transpose and alpha/beta") {
    std::mt19937 rng(13);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (const bool ta : {false, true})
        for (const bool tb : {false, true})
            for (const auto& [alpha, beta] :
                 {std::pair{1.0f, 0.0f}, std::pair{0.5f, 1.0f}, std::pair{2.0f, -0.5f}}) {
                const jhr::gemm_geometry g{ta, tb, 7, 5, 9};
                CAPTURE(ta);
                CAPTURE(tb);
                CAPTURE(beta);
                const auto a = random_vector(std::size_t(g.m) * g.k, rng),
                           b = random_vector(std::size_t(g.k) * g.n, rng);
                auto c_ref = random_vector(std::size_t(g.m) * g.n, rng);
                auto c = beta == 0.0f ? std::vector<float>(c_ref.size(), nan) : c_ref; // beta 0 ignores old C
                jhr::reference::gemm(g, alpha, a.data(), b.data(), beta, c_ref.data());
                jhr::onednn::gemm(g, alpha, a.data(), b.data(), beta, c.data());
                CHECK(relative_difference(c, c_ref) < jhr::testing::agreement_tolerance);
            }
}

TEST_CASE("onednn gemm with k = 0 scales C by beta") {
    std::vector<float> c = {1, 2, 3, 4};
    jhr::onednn::gemm({false, false, 2, 2, 0}, 1.0f, nullptr, nullptr, 0.5f, c.data());
    CHECK(c == std::vector<float>{0.5f, 1, 1.5f, 2});
}

TEST_CASE("onednn add_row_vector, sum_rows and add agree with the reference") {
    std::mt19937 rng(17);
    for (const auto& [rows, cols] :
         {std::pair<std::size_t, std::size_t>{1, 1}, {16, 512}, {5, 3}, {33, 1000}}) {
        CAPTURE(rows);
        CAPTURE(cols);
        const auto v = random_vector(cols, rng), x = random_vector(rows * cols, rng),
                   other = random_vector(rows * cols, rng);
        auto y_ref = x, y = x;
        jhr::reference::add_row_vector(rows, cols, v.data(), y_ref.data());
        jhr::onednn::add_row_vector(rows, cols, v.data(), y.data());
        CHECK(relative_difference(y, y_ref) < jhr::testing::agreement_tolerance);

        std::vector<float> s_ref(cols), s(cols, std::numeric_limits<float>::quiet_NaN());
        jhr::reference::sum_rows(rows, cols, x.data(), s_ref.data());
        jhr::onednn::sum_rows(rows, cols, x.data(), s.data());
        CHECK(relative_difference(s, s_ref) < jhr::testing::agreement_tolerance);

        std::vector<float> z_ref(rows * cols), z(rows * cols);
        jhr::reference::add(rows * cols, x.data(), other.data(), z_ref.data());
        jhr::onednn::add(rows * cols, x.data(), other.data(), z.data());
        CHECK(z == z_ref);
    }
}
