// jhr/backends/cuda/layout.hpp: the activation layout choice, nchw <-> nhwc conversions, and the
// per-channel kernels and pooling on nhwc tensors against the same kernels on nchw.
#include "backends/agreement.hpp"
#include "gpu.hpp"

#include "src/channels.hpp"

#include <doctest/doctest.h>

#include <cmath>
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
std::vector<float> relayout(const jhr::shape& s, jhr::layout from, const std::vector<float>& v,
                            jhr::layout to) {
    const auto x = to_device(v);
    jhr::cuda::buffer<float> y(v.size());
    jhr::cuda::relayout(s, from, x.data(), to, y.data());
    return to_host(y);
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

} // namespace

TEST_CASE("cuda activation layout: automatic is nhwc at bf16 and nchw at fp32 and tf32; a choice holds at "
          "every precision") {
    const jhr::conv2d_geometry g{2, 3, 8, 8, 4, 3, 1, 1};
    {
        layout_scope scope(jhr::backends::cuda_activation_layout::automatic);
        for (const auto& [p, expected] : {std::pair{jhr::precision::fp32, jhr::layout::nchw},
                                          std::pair{jhr::precision::tf32, jhr::layout::nchw},
                                          std::pair{jhr::precision::bf16, jhr::layout::nhwc}}) {
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
                         doctest::Contains("cuda takes nchw or nhwc tensors"), jhr::backend_error);
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
        const auto d_alpha = to_device(alpha), d_bias = to_device(bias);
        // Each form on both layouts: y, dx, dalpha and dbias (of the forms that have them).
        auto run = [&](const jhr::channel_geometry& g, const std::vector<float>& xv,
                       const std::vector<float>& dyv, const std::vector<float>& skipv) {
            const auto dx_in = to_device(xv), ddy = to_device(dyv), dskip = to_device(skipv);
            const std::size_t n = xv.size(), ch = std::size_t(g.channels);
            jhr::cuda::buffer<float> y1(n), y2(n), y3(n), dx1(n), dx2(n), dalpha1(ch), dalpha2(ch), dbias(ch);
            jhr::cuda::prelu_forward(g, dx_in.data(), d_alpha.data(), y1.data());
            jhr::cuda::bias_prelu_forward(g, dx_in.data(), d_bias.data(), d_alpha.data(), y2.data());
            jhr::cuda::bias_prelu_residual_forward(g, dx_in.data(), d_bias.data(), d_alpha.data(),
                                                   dskip.data(), y3.data());
            jhr::cuda::prelu_backward(g, dx_in.data(), d_alpha.data(), ddy.data(), dx1.data(),
                                      dalpha1.data());
            jhr::cuda::bias_prelu_backward(g, dx_in.data(), d_bias.data(), d_alpha.data(), ddy.data(),
                                           dx2.data(), dbias.data(), dalpha2.data());
            return std::vector{to_host(y1),  to_host(y2),      to_host(y3),      to_host(dx1),
                               to_host(dx2), to_host(dalpha1), to_host(dalpha2), to_host(dbias)};
        };
        const auto plain = run(nchw, x, dy, skip);
        const auto last = run(nhwc, to_nhwc(s, x), to_nhwc(s, dy), to_nhwc(s, skip));
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
        auto run = [](const jhr::pool2d_geometry& g, const std::vector<float>& xv,
                      const std::vector<float>& dyv) {
            const auto dx_in = to_device(xv), ddy = to_device(dyv);
            jhr::cuda::buffer<float> y(g.output().size()), ws(jhr::cuda::max_pool2d_workspace(g)),
                dx(g.input().size());
            jhr::cuda::max_pool2d_forward(g, dx_in.data(), y.data(), ws.data());
            jhr::cuda::max_pool2d_backward(g, ws.data(), ddy.data(), dx.data());
            return std::pair(to_host(y), to_host(dx));
        };
        const auto [y, dx] = run(nchw, x, dy);
        const auto [y_last, dx_last] = run(nhwc, to_nhwc(nchw.input(), x), to_nhwc(nchw.output(), dy));
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
