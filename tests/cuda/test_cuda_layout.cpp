// jhr/backends/cuda/layout.hpp: the activation layout choice, the conversions between nchw, nhwc and
// nhwc_bf16, and the per-channel kernels and pooling on nhwc and nhwc_bf16 tensors against the same
// kernels on nchw and nhwc.
#include "backends/agreement.hpp"
#include "gpu.hpp"

#include "src/bfloat16.hpp"
#include "src/channels.hpp"
#include "src/placement.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <tuple>
#include <vector>

using jhr::testing::random_vector;
using jhr::testing::to_device;
using jhr::testing::to_host;

namespace {

// Sets the activation layout choice for a scope.
class layout_scope {
public:
    explicit layout_scope(jhr::backends::cuda_activation_layout l) : saved_(jhr::cuda::activation_layout()) {
        jhr::cuda::set_activation_layout(l);
    }
    layout_scope(const layout_scope&) = delete;
    layout_scope& operator=(const layout_scope&) = delete;
    ~layout_scope() { jhr::cuda::set_activation_layout(saved_); }

private:
    jhr::backends::cuda_activation_layout saved_;
};

// v (of shape s) converted by the backend from layout `from` to `to`.
// (v holds the storage of the tensor, storage_floats(from, s.size()) floats.)
std::vector<float> relayout(const jhr::shape& s, jhr::layout from, const std::vector<float>& v,
                            jhr::layout to) {
    const auto x = to_device(v);
    jhr::cuda::buffer<float> y(jhr::storage_floats(to, s.size()));
    jhr::cuda::relayout(s, from, x.data(), to, y.data());
    return to_host(y);
}

// The same conversion on the host (the values the backend's conversions must give).
std::vector<float> relayout_on_host(const jhr::shape& s, jhr::layout from, const std::vector<float>& v,
                                    jhr::layout to) {
    std::vector<float> y(jhr::storage_floats(to, s.size()));
    jhr::backends::cuda_detail::relayout_on_host(s, from, v.data(), to, y.data());
    return y;
}

// v with every value rounded to bfloat16 (so that fp32 and nhwc_bf16 tensors hold the same values).
std::vector<float> bfloat16_exact(std::vector<float> v) {
    for (float& x : v)
        x = jhr::backends::cuda_detail::from_bfloat16(jhr::backends::cuda_detail::to_bfloat16(x));
    return v;
}

// The storage bits of a tensor's values, to compare bfloat16 storage exactly.
std::vector<std::uint32_t> bits(const std::vector<float>& v) {
    std::vector<std::uint32_t> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = jhr::backends::cuda_detail::bits_of(v[i]);
    return out;
}

std::vector<float> to_nhwc(const jhr::shape& s, const std::vector<float>& v) {
    return relayout(s, jhr::layout::nchw, v, jhr::layout::nhwc);
}

// Whether a and b differ by at most 1e-5 relative to their largest magnitude (sums in another order).
bool close(const std::vector<float>& a, const std::vector<float>& b) {
    double worst = 0, largest = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        worst = std::max(worst, double(std::abs(a[i] - b[i])));
        largest = std::max(largest, double(std::abs(b[i])));
    }
    return a.size() == b.size() && worst <= 1e-5 * largest;
}

// The PReLU forms on tensors x, dy and skip stored in g's layout (their storage, as the backend holds
// it): y of prelu, bias_prelu and bias_prelu_residual, dx of prelu and bias_prelu (storage again),
// then dalpha of the two and dbias.
std::vector<std::vector<float>> prelu_forms(const jhr::channel_geometry& g, const std::vector<float>& x,
                                            const std::vector<float>& dy, const std::vector<float>& skip,
                                            const std::vector<float>& alpha, const std::vector<float>& bias) {
    const auto dx_in = to_device(x), ddy = to_device(dy), dskip = to_device(skip), d_alpha = to_device(alpha),
               d_bias = to_device(bias);
    const std::size_t n = x.size(), ch = std::size_t(g.channels);
    jhr::cuda::buffer<float> y1(n), y2(n), y3(n), dx1(n), dx2(n), dalpha1(ch), dalpha2(ch), dbias(ch);
    jhr::cuda::prelu_forward(g, dx_in.data(), d_alpha.data(), y1.data());
    jhr::cuda::bias_prelu_forward(g, dx_in.data(), d_bias.data(), d_alpha.data(), y2.data());
    jhr::cuda::bias_prelu_residual_forward(g, dx_in.data(), d_bias.data(), d_alpha.data(), dskip.data(),
                                           y3.data());
    jhr::cuda::prelu_backward(g, dx_in.data(), d_alpha.data(), ddy.data(), dx1.data(), dalpha1.data());
    jhr::cuda::bias_prelu_backward(g, dx_in.data(), d_bias.data(), d_alpha.data(), ddy.data(), dx2.data(),
                                   dbias.data(), dalpha2.data());
    return {to_host(y1),  to_host(y2),      to_host(y3),      to_host(dx1),
            to_host(dx2), to_host(dalpha1), to_host(dalpha2), to_host(dbias)};
}

// Max pooling forward and backward on x and dy stored in g's layout: y, the workspace and dx (storage).
std::tuple<std::vector<float>, std::vector<float>, std::vector<float>>
max_pool(const jhr::pool2d_geometry& g, const std::vector<float>& x, const std::vector<float>& dy) {
    const auto dx_in = to_device(x), ddy = to_device(dy);
    jhr::cuda::buffer<float> y(g.output().size()), ws(jhr::cuda::max_pool2d_workspace(g)),
        dx(g.input().size());
    jhr::cuda::max_pool2d_forward(g, dx_in.data(), y.data(), ws.data());
    jhr::cuda::max_pool2d_backward(g, ws.data(), ddy.data(), dx.data());
    return {to_host(y), to_host(ws), to_host(dx)};
}

} // namespace

TEST_CASE("cuda activation layout: automatic is nhwc_bf16 at bf16 and nchw at fp32 and tf32; a choice holds "
          "at every precision") {
    const jhr::conv2d_geometry g{2, 3, 8, 8, 4, 3, 1, 1};
    {
        layout_scope scope(jhr::backends::cuda_activation_layout::automatic);
        for (const auto& [p, expected] : {std::pair{jhr::precision::fp32, jhr::layout::nchw},
                                          std::pair{jhr::precision::tf32, jhr::layout::nchw},
                                          std::pair{jhr::precision::bf16, jhr::layout::nhwc_bf16}}) {
            const jhr::testing::precision_scope at(p);
            CHECK(jhr::cuda::conv2d_output_layout(g) == expected);
        }
    }
    for (const auto& [choice, expected] :
         {std::pair{jhr::backends::cuda_activation_layout::nchw, jhr::layout::nchw},
          std::pair{jhr::backends::cuda_activation_layout::nhwc, jhr::layout::nhwc}}) {
        layout_scope scope(choice);
        for (const auto p : {jhr::precision::fp32, jhr::precision::tf32, jhr::precision::bf16}) {
            const jhr::testing::precision_scope at(p);
            CHECK(jhr::cuda::conv2d_output_layout(g) == expected);
        }
    }
}

TEST_CASE("cuda relayout stores nhwc as [N][H][W][C], converts back exactly, and refuses nChw16c" *
          jhr::testing::needs_gpu()) {
    const jhr::shape s{2, 37, 5, 7}; // channels and pixels not multiples of the 32 x 32 tiles
    std::vector<float> v(s.size());
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = float(i);
    const auto nhwc = to_nhwc(s, v);
    bool ordered = true;
    for (int n = 0; n < s.n; ++n)
        for (int c = 0; c < s.c; ++c)
            for (int p = 0; p < s.h * s.w; ++p)
                ordered = ordered && nhwc[(std::size_t(n) * s.h * s.w + p) * s.c + c] ==
                                         v[(std::size_t(n) * s.c + c) * s.h * s.w + p];
    CHECK(ordered);
    CHECK(relayout(s, jhr::layout::nhwc, nhwc, jhr::layout::nchw) == v);
    CHECK(relayout(s, jhr::layout::nhwc, nhwc, jhr::layout::nhwc) == nhwc);
    const auto x = to_device(v);
    jhr::cuda::buffer<float> y(v.size());
    CHECK_THROWS_WITH_AS(jhr::cuda::relayout(s, jhr::layout::nchw, x.data(), jhr::layout::nchw16c, y.data()),
                         doctest::Contains("cuda takes nchw, nhwc or nhwc-bf16 tensors, got nchw16c"),
                         jhr::backend_error);
}

TEST_CASE("cuda relayout to and from nhwc_bf16 rounds and widens as the host does; add_bfloat16 rounds each "
          "sum" *
          jhr::testing::needs_gpu()) {
    using jhr::layout;
    for (const jhr::shape s : {jhr::shape{2, 37, 5, 7}, jhr::shape{3, 1, 3, 3}, jhr::shape{1, 5, 1, 1}}) {
        CAPTURE(s.str()); // odd element counts: the last float of bfloat16 storage is half used
        std::mt19937 rng(41);
        const auto v = random_vector(s.size(), rng);
        const auto expected = relayout_on_host(s, layout::nchw, v, layout::nhwc_bf16);
        const auto from_nchw = relayout(s, layout::nchw, v, layout::nhwc_bf16);
        const auto from_nhwc = relayout(s, layout::nhwc, to_nhwc(s, v), layout::nhwc_bf16);
        // Compare the bfloat16 values (the padding half of an odd tensor's last float is unspecified).
        const auto widened = relayout_on_host(s, layout::nhwc_bf16, expected, layout::nhwc);
        CHECK(bits(relayout_on_host(s, layout::nhwc_bf16, from_nchw, layout::nhwc)) == bits(widened));
        CHECK(bits(relayout_on_host(s, layout::nhwc_bf16, from_nhwc, layout::nhwc)) == bits(widened));
        CHECK(bits(relayout(s, layout::nhwc_bf16, from_nchw, layout::nhwc)) == bits(widened));
        CHECK(bits(relayout(s, layout::nhwc_bf16, from_nchw, layout::nchw)) ==
              bits(relayout_on_host(s, layout::nhwc, widened, layout::nchw)));
        CHECK(bits(relayout(s, layout::nhwc_bf16, from_nchw, layout::nhwc_bf16)) == bits(from_nchw));
        CHECK(widened == bfloat16_exact(to_nhwc(s, v)));
        CHECK(widened != to_nhwc(s, v)); // rounding happened

        const auto w = random_vector(s.size(), rng);
        const auto a16 = to_device(from_nhwc),
                   b16 = to_device(relayout(s, layout::nhwc, w, layout::nhwc_bf16));
        jhr::cuda::buffer<float> sum(a16.size());
        jhr::cuda::add_bfloat16(s.size(), a16.data(), b16.data(), sum.data());
        auto expected_sum = relayout_on_host(s, layout::nhwc_bf16, to_host(a16), layout::nhwc);
        const auto b_wide = relayout_on_host(s, layout::nhwc_bf16, to_host(b16), layout::nhwc);
        for (std::size_t i = 0; i < expected_sum.size(); ++i) expected_sum[i] += b_wide[i];
        CHECK(bits(relayout_on_host(s, layout::nhwc_bf16, to_host(sum), layout::nhwc)) ==
              bits(bfloat16_exact(expected_sum)));
    }
}

TEST_CASE("cuda PReLU, its bias and residual forms on nhwc equal them on nchw (dalpha and dbias to 1e-5)" *
          jhr::testing::needs_gpu()) {
    for (const jhr::channel_geometry nchw :
         {jhr::channel_geometry{3, 40, 63}, jhr::channel_geometry{70, 5, 1},
          jhr::channel_geometry{0, 8, 9}}) {
        CAPTURE(nchw.batch);
        CAPTURE(nchw.channels);
        CAPTURE(nchw.spatial);
        jhr::channel_geometry nhwc = nchw;
        nhwc.data_layout = jhr::layout::nhwc;
        const jhr::shape s{nchw.batch, nchw.channels, nchw.spatial, 1};
        std::mt19937 rng(29);
        const auto x = random_vector(nchw.size(), rng), dy = random_vector(nchw.size(), rng),
                   skip = random_vector(nchw.size(), rng);
        const auto alpha = random_vector(std::size_t(nchw.channels), rng, 0.1f, 0.4f),
                   bias = random_vector(std::size_t(nchw.channels), rng);
        const auto plain = prelu_forms(nchw, x, dy, skip, alpha, bias);
        const auto last = prelu_forms(nhwc, to_nhwc(s, x), to_nhwc(s, dy), to_nhwc(s, skip), alpha, bias);
        for (std::size_t k = 0; k < 5; ++k) {
            CAPTURE(k);
            CHECK(last[k] == to_nhwc(s, plain[k]));
        }
        for (std::size_t k = 5; k < 8; ++k) {
            CAPTURE(k);
            CHECK(close(last[k], plain[k]));
        }
        if (nchw.batch > 0) CHECK(plain[7] != std::vector<float>(plain[7].size(), 0.0f));
    }
}

TEST_CASE("cuda max pooling on nhwc equals it on nchw" * jhr::testing::needs_gpu()) {
    for (const jhr::pool2d_geometry nchw :
         {jhr::pool2d_geometry{2, 35, 9, 7, 2, 2}, jhr::pool2d_geometry{1, 3, 6, 6, 3, 1}}) {
        CAPTURE(nchw.channels);
        CAPTURE(nchw.window);
        jhr::pool2d_geometry nhwc = nchw;
        nhwc.data_layout = jhr::layout::nhwc;
        std::mt19937 rng(31);
        auto x = random_vector(nchw.input().size(), rng);
        for (std::size_t i = 0; i < x.size(); i += 3) x[i] = 0.5f; // ties
        const auto dy = random_vector(nchw.output().size(), rng);
        const auto [y, ws, dx] = max_pool(nchw, x, dy);
        const auto [y_last, ws_last, dx_last] =
            max_pool(nhwc, to_nhwc(nchw.input(), x), to_nhwc(nchw.output(), dy));
        CHECK(y_last == to_nhwc(nchw.output(), y));
        CHECK(dx_last == to_nhwc(nchw.input(), dx));
    }
}

TEST_CASE("cuda channel_sums adds each channel of channels-last rows (the nhwc bias gradient)" *
          jhr::testing::needs_gpu()) {
    for (const auto& [rows, channels] : {std::pair<std::size_t, int>{1000, 45}, {3, 1}, {0, 4}}) {
        CAPTURE(rows);
        std::mt19937 rng(37);
        const auto x = random_vector(rows * std::size_t(channels), rng);
        std::vector<float> expected(static_cast<std::size_t>(channels));
        for (int c = 0; c < channels; ++c) {
            double s = 0;
            for (std::size_t r = 0; r < rows; ++r) s += x[r * std::size_t(channels) + std::size_t(c)];
            expected[std::size_t(c)] = float(s);
        }
        const auto dx_in = to_device(x);
        jhr::cuda::buffer<float> sums(static_cast<std::size_t>(channels));
        jhr::cuda::fill(sums.size(), 1e6f, sums.data()); // written, not accumulated
        jhr::backends::cuda_detail::channel_sums(rows, channels, dx_in.data(), sums.data());
        CHECK(close(to_host(sums), expected));
    }
}

TEST_CASE("cuda PReLU forms, max pooling and channel_sums on nhwc_bf16 equal them on nhwc over the same "
          "bfloat16 values, rounded" *
          jhr::testing::needs_gpu()) {
    using jhr::layout;
    // v (nhwc fp32, of shape s) in nhwc_bf16 storage, and such storage widened back to nhwc.
    auto narrow = [](const jhr::shape& s, const std::vector<float>& v) {
        return relayout_on_host(s, layout::nhwc, v, layout::nhwc_bf16);
    };
    auto widen = [](const jhr::shape& s, const std::vector<float>& v) {
        return relayout_on_host(s, layout::nhwc_bf16, v, layout::nhwc);
    };
    for (const jhr::channel_geometry g32 :
         {jhr::channel_geometry{3, 40, 63, layout::nhwc}, jhr::channel_geometry{70, 5, 1, layout::nhwc},
          jhr::channel_geometry{0, 8, 9, layout::nhwc}}) {
        CAPTURE(describe(g32));
        jhr::channel_geometry g16 = g32;
        g16.data_layout = layout::nhwc_bf16;
        const jhr::shape s{g32.batch, g32.channels, g32.spatial, 1};
        std::mt19937 rng(43);
        const auto x = bfloat16_exact(random_vector(g32.size(), rng)),
                   dy = bfloat16_exact(random_vector(g32.size(), rng)),
                   skip = bfloat16_exact(random_vector(g32.size(), rng));
        const auto alpha = random_vector(std::size_t(g32.channels), rng, 0.1f, 0.4f),
                   bias = random_vector(std::size_t(g32.channels), rng);
        const auto wide = prelu_forms(g32, x, dy, skip, alpha, bias);
        auto narrow_run = prelu_forms(g16, narrow(s, x), narrow(s, dy), narrow(s, skip), alpha, bias);
        for (std::size_t k = 0; k < 5; ++k) narrow_run[k] = widen(s, narrow_run[k]); // y and dx as values
        for (std::size_t k = 0; k < 5; ++k) {
            CAPTURE(k);
            CHECK(bits(narrow_run[k]) == bits(bfloat16_exact(wide[k])));
        }
        for (std::size_t k = 5; k < 8; ++k) {
            CAPTURE(k);
            CHECK(bits(narrow_run[k]) == bits(wide[k])); // the same values summed in the same order
        }
        if (g32.batch > 0) CHECK(wide[0] != bfloat16_exact(wide[0])); // the nhwc_bf16 outputs were rounded

        const auto d16 = to_device(narrow(s, dy)), d32 = to_device(dy);
        jhr::cuda::buffer<float> s16(std::size_t(g32.channels)), s32(std::size_t(g32.channels));
        namespace detail = jhr::backends::cuda_detail;
        const std::size_t rows = std::size_t(g32.batch) * std::size_t(g32.spatial);
        detail::channel_sums(rows, g32.channels, detail::elements<detail::bfloat16_bits>(d16.data()),
                             s16.data());
        detail::channel_sums(rows, g32.channels, d32.data(), s32.data());
        CHECK(bits(to_host(s16)) == bits(to_host(s32)));
    }

    for (const jhr::pool2d_geometry g32 : {jhr::pool2d_geometry{2, 35, 9, 7, 2, 2, layout::nhwc},
                                           jhr::pool2d_geometry{1, 3, 6, 6, 3, 1, layout::nhwc}}) {
        CAPTURE(describe(g32));
        jhr::pool2d_geometry g16 = g32;
        g16.data_layout = layout::nhwc_bf16;
        std::mt19937 rng(47);
        auto x = bfloat16_exact(random_vector(g32.input().size(), rng));
        for (std::size_t i = 0; i < x.size(); i += 3) x[i] = 0.5f; // ties
        const auto dy = bfloat16_exact(random_vector(g32.output().size(), rng));
        const auto [y, ws, dx] = max_pool(g32, x, dy);
        const auto [y16, ws16, dx16] = max_pool(g16, narrow(g32.input(), x), narrow(g32.output(), dy));
        CHECK(bits(widen(g32.output(), y16)) == bits(y));
        CHECK(ws16 == ws);
        CHECK(bits(widen(g32.input(), dx16)) == bits(bfloat16_exact(dx)));
    }
}
