// The bfloat16 conversions behind bf16 precision (backends/cuda/src/bfloat16.hpp): rounding to
// nearest with ties to even, signs, infinities, NaN and overflow, on the device as on the host;
// widening is exact; both transpose batches of matrices (nchw <-> nhwc) of any size against the
// 32 x 32 tiles, and widening adds a per-channel bias.
#include "backends/agreement.hpp"
#include "gpu.hpp"

#include "src/bfloat16.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

using jhr::backends::cuda_detail::bfloat16_bits;
using jhr::testing::to_device;
using jhr::testing::to_host;

namespace {

std::vector<bfloat16_bits> rounded_on_device(const std::vector<float>& values) {
    const auto x = to_device(values);
    jhr::cuda::buffer<bfloat16_bits> y(values.size());
    jhr::backends::cuda_detail::round_to_bfloat16(1, 1, values.size(), x.data(), y.data());
    return to_host(y);
}

float bits_to_float(std::uint32_t bits) {
    return jhr::backends::cuda_detail::float_of(bits);
}

} // namespace

TEST_CASE("cuda bfloat16 rounding: ties to even, signs, infinities, NaN and overflow" *
          jhr::testing::needs_gpu()) {
    const float inf = std::numeric_limits<float>::infinity();
    struct expectation {
        float value;
        bfloat16_bits bits;
    };
    const std::vector<expectation> cases = {
        {1.0f, 0x3f80},
        {std::ldexp(1.0f, -8) + 1.0f, 0x3f80},                         // tie: down to even
        {1.0f + 3 * std::ldexp(1.0f, -8), 0x3f82},                     // tie: up to even
        {1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20), 0x3f81}, // just above the tie
        {1.0f + std::ldexp(1.0f, -8) - std::ldexp(1.0f, -20), 0x3f80}, // just below it
        {-2.5f, 0xc020},
        {0.0f, 0x0000},
        {-0.0f, 0x8000},
        {inf, 0x7f80},
        {-inf, 0xff80},
        {std::numeric_limits<float>::max(), 0x7f80},   // rounds past the largest bfloat16
        {bits_to_float(0x7f7f7fffu), 0x7f7f},          // the largest that does not
        {std::numeric_limits<float>::denorm_min(), 0}, // below half the smallest bfloat16 subnormal
        {bits_to_float(0x00018000u), 0x0002},          // a subnormal tie, up to even
    };
    std::vector<float> values;
    for (const auto& c : cases) values.push_back(c.value);
    values.push_back(std::numeric_limits<float>::quiet_NaN());
    values.push_back(bits_to_float(0x7f800001u)); // a signalling NaN, whose truncation would be inf
    values.push_back(bits_to_float(0xff80ffffu)); // a negative NaN whose rounding would carry
    const auto device = rounded_on_device(values);
    for (std::size_t i = 0; i < cases.size(); ++i) {
        CAPTURE(i);
        CAPTURE(cases[i].value);
        CHECK(device[i] == cases[i].bits);
        CHECK(jhr::backends::cuda_detail::to_bfloat16(cases[i].value) == cases[i].bits);
    }
    for (std::size_t i = cases.size(); i < values.size(); ++i) {
        CAPTURE(i);
        CHECK(std::isnan(jhr::backends::cuda_detail::from_bfloat16(device[i])));
        CHECK((device[i] & 0x8000) == (jhr::backends::cuda_detail::bits_of(values[i]) >> 16 & 0x8000));
    }
}

TEST_CASE("cuda bfloat16 rounding is within 2^-8 relative and agrees with the host; widening is exact" *
          jhr::testing::needs_gpu()) {
    std::mt19937 rng{29};
    std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
    std::uniform_int_distribution<int> exponent(-90, 90); // normal floats only
    std::vector<float> values(100003);
    for (float& v : values) v = std::ldexp(mantissa(rng), exponent(rng));
    const auto device = rounded_on_device(values);
    std::size_t off_host = 0, out_of_bound = 0;
    std::vector<float> widened_host(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        off_host += device[i] != jhr::backends::cuda_detail::to_bfloat16(values[i]);
        widened_host[i] = jhr::backends::cuda_detail::from_bfloat16(device[i]);
        out_of_bound +=
            std::fabs(double(widened_host[i]) - values[i]) > std::ldexp(std::fabs(double(values[i])), -8);
    }
    CHECK(off_host == 0);
    CHECK(out_of_bound == 0);

    const auto bits = to_device(device);
    jhr::cuda::buffer<float> widened(values.size());
    jhr::backends::cuda_detail::widen_from_bfloat16(1, 1, values.size(), bits.data(), nullptr,
                                                    widened.data());
    CHECK(to_host(widened) == widened_host);
}

TEST_CASE("cuda bfloat16 conversions transpose nchw to nhwc and back, at tile edges and past them" *
          jhr::testing::needs_gpu()) {
    using jhr::backends::cuda_detail::from_bfloat16;
    using jhr::backends::cuda_detail::to_bfloat16;
    struct matrices {
        std::size_t batch, rows, cols;
    };
    // Whole tiles, partial tiles on either axis, one row or column, and the paper's 9x9 filters.
    for (const auto& m :
         {matrices{1, 32, 32}, {3, 37, 70}, {2, 3, 11600}, {2, 64, 1}, {4, 1, 33}, {64, 3, 81}}) {
        CAPTURE(m.batch);
        CAPTURE(m.rows);
        CAPTURE(m.cols);
        const std::size_t n = m.batch * m.rows * m.cols;
        std::mt19937 rng{unsigned(n)};
        const auto x = jhr::testing::random_vector(n, rng);
        std::vector<float> bias = jhr::testing::random_vector(m.rows, rng);
        std::vector<bfloat16_bits> expected(n);
        std::vector<float> back(n);
        for (std::size_t b = 0; b < m.batch; ++b)
            for (std::size_t r = 0; r < m.rows; ++r)
                for (std::size_t c = 0; c < m.cols; ++c) {
                    const std::size_t from = (b * m.rows + r) * m.cols + c;
                    expected[(b * m.cols + c) * m.rows + r] = to_bfloat16(x[from]);
                    back[from] = from_bfloat16(to_bfloat16(x[from])) + bias[r];
                }
        const auto dx = to_device(x);
        jhr::cuda::buffer<bfloat16_bits> transposed(n);
        jhr::backends::cuda_detail::round_to_bfloat16(m.batch, m.rows, m.cols, dx.data(), transposed.data());
        CHECK(to_host(transposed) == expected);
        // Back: the transposed matrices are cols x rows; the bias follows the original rows.
        const auto dbias = to_device(bias);
        jhr::cuda::buffer<float> y(n);
        jhr::backends::cuda_detail::widen_from_bfloat16(m.batch, m.cols, m.rows, transposed.data(),
                                                        dbias.data(), y.data());
        CHECK(to_host(y) == back);
    }
}

TEST_CASE("cuda bfloat16 widening of single rows adds a bias per column" * jhr::testing::needs_gpu()) {
    const std::size_t batch = 2, channels = 3, n = batch * channels;
    const std::vector<float> values{0.5f, 1.0f, 2.0f, -4.0f, 0.25f, 3.0f}, bias{0.5f, -1.0f, 8.0f};
    std::vector<float> expected(n);
    for (std::size_t i = 0; i < n; ++i) expected[i] = values[i] + bias[i % channels];
    const auto bits = to_device(rounded_on_device(values));
    const auto device_bias = to_device(bias);
    jhr::cuda::buffer<float> y(n);
    jhr::backends::cuda_detail::widen_from_bfloat16(batch, 1, channels, bits.data(), device_bias.data(),
                                                    y.data());
    CHECK(to_host(y) == expected);
}
