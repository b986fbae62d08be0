// The bfloat16 conversions behind bf16 precision (backends/cuda/src/bfloat16.hpp): rounding to
// nearest with ties to even, signs, infinities, NaN and overflow, on the device as on the host;
// widening is exact and adds a per-channel bias.
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
    jhr::backends::cuda_detail::round_to_bfloat16(values.size(), x.data(), y.data());
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
    jhr::backends::cuda_detail::widen_from_bfloat16(values.size(), bits.data(), nullptr, 1, 1,
                                                    widened.data());
    CHECK(to_host(widened) == widened_host);
}

TEST_CASE("cuda bfloat16 widening adds a per-channel bias to an nchw tensor" * jhr::testing::needs_gpu()) {
    const std::size_t batch = 2, channels = 3, plane = 5, n = batch * channels * plane;
    std::vector<float> values(n), bias{0.5f, -1.0f, 8.0f}, expected(n);
    for (std::size_t i = 0; i < n; ++i) {
        values[i] = float(i) * 0.25f; // exact in bfloat16
        expected[i] = values[i] + bias[(i / plane) % channels];
    }
    const auto bits = to_device(rounded_on_device(values));
    const auto device_bias = to_device(bias);
    jhr::cuda::buffer<float> y(n);
    jhr::backends::cuda_detail::widen_from_bfloat16(n, bits.data(), device_bias.data(), channels, plane,
                                                    y.data());
    CHECK(to_host(y) == expected);
}
