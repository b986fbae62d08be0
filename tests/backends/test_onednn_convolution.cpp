// jhr/backends/onednn/convolution.hpp against the reference convolution: both layouts, both
// algorithms, and bf16 precision where this CPU has it.
#include "agreement.hpp"

#include "jhr/backends/onednn.hpp"
#include "jhr/backends/reference.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

using jhr::testing::random_vector;
using jhr::testing::relative_difference;

namespace {

// The paper's layer shapes at small channel counts, then seeded random geometries.
std::vector<jhr::conv2d_geometry> geometries() {
    std::vector<jhr::conv2d_geometry> list = {
        {2, 3, 20, 18, 4, 9, 1, 0}, // SRNET 9x9 pad 0
        {2, 5, 7, 6, 3, 1, 1, 0},   // 1x1
        {2, 4, 9, 8, 5, 3, 1, 0},   // 3x3 pad 0
        {2, 4, 9, 8, 5, 3, 1, 1},   // 3x3 pad 1
        {2, 4, 9, 8, 5, 3, 2, 1},   // stride 2
        {3, 2, 10, 7, 6, 3, 2, 0},  // stride 2, floor on both axes
    };
    for (const auto& g : jhr::testing::random_conv_geometries(4)) list.push_back(g);
    return list;
}

// The largest relative difference seen by check_agreement since the last reset.
double worst_difference = 0.0;

void check_agreement(const jhr::conv2d_geometry& g, bool bias,
                     double tolerance = jhr::testing::agreement_tolerance) {
    INFO(jhr::describe(g));
    CAPTURE(bias);
    std::mt19937 rng(g.in_height * 31 + g.kernel);
    const auto x = random_vector(g.input().size(), rng), w = random_vector(g.weight().size(), rng),
               b = random_vector(g.out_channels, rng), dy = random_vector(g.output().size(), rng);
    const float nan = std::numeric_limits<float>::quiet_NaN();

    std::vector<float> y_ref(g.output().size()), y(g.output().size(), nan);
    jhr::reference::conv2d_forward(g, x.data(), w.data(), bias ? b.data() : nullptr, y_ref.data());
    jhr::onednn::conv2d_forward(g, x.data(), w.data(), bias ? b.data() : nullptr, y.data());
    const auto agrees = [&](const std::vector<float>& got, const std::vector<float>& want) {
        const double d = relative_difference(got, want);
        worst_difference = std::max(worst_difference, d);
        return d < tolerance;
    };
    CHECK(agrees(y, y_ref));

    std::vector<float> dx_ref(g.input().size()), dx(g.input().size(), nan);
    jhr::reference::conv2d_backward_data(g, w.data(), dy.data(), dx_ref.data());
    jhr::onednn::conv2d_backward_data(g, w.data(), dy.data(), dx.data());
    CHECK(agrees(dx, dx_ref));

    std::vector<float> dw_ref(g.weight().size()), dw(g.weight().size(), nan);
    std::vector<float> db_ref(g.out_channels), db(g.out_channels, nan);
    jhr::reference::conv2d_backward_weights(g, x.data(), dy.data(), dw_ref.data(),
                                            bias ? db_ref.data() : nullptr);
    jhr::onednn::conv2d_backward_weights(g, x.data(), dy.data(), dw.data(), bias ? db.data() : nullptr);
    CHECK(agrees(dw, dw_ref));
    if (bias)
        CHECK(agrees(db, db_ref));
    else
        CHECK(std::isnan(db[0])); // a null bias gradient is not written
}

// Restores the layout and algorithm a test changed.
struct layout_scope {
    jhr::backends::convolution_layout saved = jhr::onednn::layout().load();
    jhr::backends::convolution_algorithm saved_algorithm = jhr::onednn::algorithm().load();
    explicit layout_scope(
        jhr::backends::convolution_layout l,
        jhr::backends::convolution_algorithm a = jhr::backends::convolution_algorithm::direct) {
        jhr::onednn::layout() = l;
        jhr::onednn::algorithm() = a;
    }
    ~layout_scope() {
        jhr::onednn::layout() = saved;
        jhr::onednn::algorithm() = saved_algorithm;
    }
};

// The paper's 3x3 stride-1 layers at reduced size, all of them where Winograd pays.
const jhr::conv2d_geometry paper_3x3[] = {
    {2, 64, 19, 17, 64, 3, 1, 1},   // stage 1 residual conv
    {2, 64, 19, 17, 128, 3, 1, 0},  // stage 2 entry
    {2, 256, 12, 10, 256, 3, 1, 1}, // stage 3 residual conv
    {2, 512, 10, 8, 512, 3, 1, 1},  // stage 4-width conv at 10x8 (5x4 stays direct)
};

} // namespace

TEST_CASE("onednn convolution agrees with the reference, plain layout, with and without bias") {
    layout_scope scope(jhr::backends::convolution_layout::plain);
    for (const auto& g : geometries()) {
        check_agreement(g, true);
        check_agreement(g, false);
    }
}

TEST_CASE("onednn convolution agrees with the reference, blocked layout with reorders") {
    layout_scope scope(jhr::backends::convolution_layout::blocked);
    for (const auto& g : geometries()) {
        check_agreement(g, true);
        check_agreement(g, false);
    }
}

TEST_CASE("onednn convolution at a paper-sized layer (FRNET 3x3 pad 1, 12x10, 32 -> 32 channels)") {
    layout_scope scope(jhr::backends::convolution_layout::blocked);
    check_agreement({2, 32, 12, 10, 32, 3, 1, 1}, true);
}

TEST_CASE("onednn Winograd convolution agrees with the reference on the paper's 3x3 layers") {
    layout_scope scope(jhr::backends::convolution_layout::blocked,
                       jhr::backends::convolution_algorithm::winograd);
    for (const auto& g : paper_3x3) check_agreement(g, true);     // measured ~1e-6
    for (const auto& g : geometries()) check_agreement(g, false); // falls back to direct where it must
}

TEST_CASE("onednn Winograd is selected where oneDNN has it: its rounding differs from direct") {
    if (dnnl::get_effective_cpu_isa() < dnnl::cpu_isa::avx512_core) return; // no Winograd kernels
    const jhr::conv2d_geometry& g = paper_3x3[0];
    std::mt19937 rng(3);
    const auto x = random_vector(g.input().size(), rng), w = random_vector(g.weight().size(), rng);
    std::vector<float> direct(g.output().size()), winograd(g.output().size());
    {
        layout_scope scope(jhr::backends::convolution_layout::blocked);
        jhr::onednn::conv2d_forward(g, x.data(), w.data(), nullptr, direct.data());
    }
    {
        layout_scope scope(jhr::backends::convolution_layout::blocked,
                           jhr::backends::convolution_algorithm::winograd);
        jhr::onednn::conv2d_forward(g, x.data(), w.data(), nullptr, winograd.data());
    }
    const double d = relative_difference(winograd, direct);
    CHECK(d > 0);
    CHECK(d < jhr::testing::agreement_tolerance);
}

namespace {
doctest::skip no_bf16() {
    return doctest::skip(!jhr::onednn::supports_precision(jhr::precision::bf16));
}
} // namespace

TEST_CASE("onednn convolution at bf16 agrees within bf16_tolerance in both layouts; fp32 again within "
          "1e-4 afterwards" *
          no_bf16()) {
    {
        const jhr::precision_scope<jhr::onednn> bf16(jhr::precision::bf16);
        for (const auto l :
             {jhr::backends::convolution_layout::blocked, jhr::backends::convolution_layout::plain}) {
            layout_scope scope(l);
            worst_difference = 0.0;
            for (const auto& g : paper_3x3) check_agreement(g, true, jhr::testing::bf16_tolerance);
            for (const auto& g : geometries()) {
                check_agreement(g, true, jhr::testing::bf16_tolerance);
                check_agreement(g, false, jhr::testing::bf16_tolerance);
            }
            MESSAGE("largest relative difference at bf16, "
                    << std::string(l == jhr::backends::convolution_layout::plain ? "plain" : "blocked")
                    << " layout: " << worst_difference);
        }
    }
    REQUIRE(jhr::onednn::precision() == jhr::precision::fp32);
    layout_scope scope(jhr::backends::convolution_layout::blocked);
    for (const auto& g : paper_3x3) check_agreement(g, true);
}

TEST_CASE("bf16 precision takes effect: the results round differently from fp32, and outputs are nhwc" *
          no_bf16()) {
    layout_scope scope(jhr::backends::convolution_layout::blocked);
    const jhr::conv2d_geometry& g = paper_3x3[0];
    std::mt19937 rng(5);
    const auto x = random_vector(g.input().size(), rng), w = random_vector(g.weight().size(), rng);
    std::vector<float> fp32(g.output().size()), bf16(g.output().size());
    jhr::onednn::conv2d_forward(g, x.data(), w.data(), nullptr, fp32.data());
    {
        const jhr::precision_scope<jhr::onednn> low(jhr::precision::bf16);
        jhr::onednn::conv2d_forward(g, x.data(), w.data(), nullptr, bf16.data());
        const jhr::layout out = jhr::onednn::conv2d_output_layout(g);
        MESSAGE("bf16 convolution output layout on this CPU: " << jhr::name(out));
        CHECK(out != jhr::layout::nchw16c);
    }
    const double d = relative_difference(bf16, fp32);
    MESSAGE("bf16 against fp32 on " << jhr::describe(g) << ": " << d);
    CHECK(d > 10 * jhr::testing::agreement_tolerance);
    CHECK(d < jhr::testing::bf16_tolerance);
}

TEST_CASE("onednn convolution reports an impossible geometry as a backend_error naming the primitive") {
    const jhr::conv2d_geometry g{1, 1, 3, 3, 1, 5, 1, 0}; // kernel larger than the input
    std::vector<float> x(9), w(25), y(1);
    try {
        jhr::onednn::conv2d_forward(g, x.data(), w.data(), nullptr, y.data());
        FAIL("expected a backend_error");
    } catch (const jhr::backend_error& e) {
        const std::string message = e.what();
        CHECK(message.find("conv2d_forward") != std::string::npos);
        CHECK(message.find("kernel 5") != std::string::npos);
        CHECK(message.find("convolution.hpp") != std::string::npos);
    }
}
