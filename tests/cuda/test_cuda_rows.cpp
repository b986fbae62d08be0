// jhr/backends/cuda/dense.hpp's row and column kernels against the reference: add_row_vector and
// sum_rows, from one row or column to the paper's 10575 classes.
#include "backends/agreement.hpp"
#include "gpu.hpp"

#include "jhr/backends/reference.hpp"

#include <doctest/doctest.h>

#include <utility>
#include <vector>

using jhr::testing::agreement_tolerance;
using jhr::testing::random_vector;
using jhr::testing::relative_difference;
using jhr::testing::to_device;
using jhr::testing::to_host;

TEST_CASE("cuda add_row_vector and sum_rows agree with the reference" * jhr::testing::needs_gpu()) {
    for (const auto& [rows, cols] :
         {std::pair<std::size_t, std::size_t>{1, 1}, {128, 512}, {8, 10575}, {300, 3}}) {
        CAPTURE(rows);
        CAPTURE(cols);
        std::mt19937 rng{unsigned(rows + cols)};
        auto y = random_vector(rows * cols, rng);
        const auto v = random_vector(cols, rng);
        auto dy = to_device(y);
        const auto dv = to_device(v);
        jhr::reference::add_row_vector(rows, cols, v.data(), y.data());
        jhr::cuda::add_row_vector(rows, cols, dv.data(), dy.data());
        CHECK(relative_difference(to_host(dy), y) < agreement_tolerance);

        std::vector<float> sums_ref(cols);
        jhr::reference::sum_rows(rows, cols, y.data(), sums_ref.data());
        jhr::cuda::buffer<float> sums(cols);
        jhr::cuda::sum_rows(rows, cols, dy.data(), sums.data());
        CHECK(relative_difference(to_host(sums), sums_ref) < agreement_tolerance);
    }
}
