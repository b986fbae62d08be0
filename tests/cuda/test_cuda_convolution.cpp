// jhr/backends/cuda/convolution.hpp against the reference: forward (with and without bias),
// backward data, backward weights (with and without bias gradient), at the paper's SRNET and FRNET
// layers and at seeded random geometries; repeated calls reuse the cached plans and memory, at fp32
// and bf16; at tf32 precision within tf32_tolerance, at bf16 within bf16_tolerance and not equal to
// fp32, and fp32 again within 1e-4 afterwards; deterministic convolutions repeat bit for bit; a
// convolution's first call cannot be captured into a graph, a later one can; conv2d_backward writes what
// the two backward calls write; on nhwc tensors (input, output or both) at every precision too, and
// on nhwc_bf16 tensors at bf16 (an nhwc_bf16 input widened at the other precisions).
#include "backends/agreement.hpp"
#include "gpu.hpp"

#include "jhr/backends/reference.hpp"

#include "src/placement.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

using jhr::testing::agreement_tolerance;
using jhr::testing::random_vector;
using jhr::testing::relative_difference;
using jhr::testing::to_device;
using jhr::testing::to_host;

namespace {

// Tables 1 and 2 of the paper on 124 x 108 inputs (FRNET sees SRNET's 116 x 100 output), batch 1-2.
std::vector<jhr::conv2d_geometry> paper_geometries() {
    return {
        {1, 3, 124, 108, 64, 9, 1, 0},  // SRNET conv 9x9, 64
        {2, 64, 116, 100, 32, 1, 1, 0}, // SRNET conv 1x1, 32
        {2, 32, 116, 100, 3, 1, 1, 0},  // SRNET conv 1x1, 3
        {2, 3, 116, 100, 64, 3, 1, 0},  // FRNET conv 3x3, 64
        {2, 64, 57, 49, 64, 3, 1, 1},   // FRNET residual 3x3, 64
        {2, 64, 57, 49, 128, 3, 1, 0},  // FRNET conv 3x3, 128
        {2, 128, 27, 23, 128, 3, 1, 1}, // residual 3x3, 128
        {2, 128, 27, 23, 256, 3, 1, 0}, // conv 3x3, 256
        {2, 256, 12, 10, 256, 3, 1, 1}, // residual 3x3, 256
        {2, 256, 12, 10, 512, 3, 1, 0}, // conv 3x3, 512
        {2, 512, 5, 4, 512, 3, 1, 1},   // residual 3x3, 512
    };
}

std::vector<jhr::conv2d_geometry> small_geometries() {
    std::vector<jhr::conv2d_geometry> list = {
        {2, 5, 7, 6, 3, 1, 1, 0},  // 1x1
        {2, 4, 9, 8, 5, 3, 1, 1},  // 3x3 pad 1
        {2, 4, 9, 8, 5, 3, 2, 1},  // stride 2
        {3, 2, 10, 7, 6, 3, 2, 0}, // stride 2, floor on both axes
        {1, 1, 1, 1, 1, 1, 1, 0},  // a single pixel
    };
    for (const auto& g : jhr::testing::random_conv_geometries(6)) list.push_back(g);
    return list;
}

// v (of shape s) moved from layout `from` to `to` (nchw, nhwc or nhwc_bf16), on the host.
std::vector<float> relaid(const jhr::shape& s, const std::vector<float>& v, jhr::layout from,
                          jhr::layout to) {
    std::vector<float> out(jhr::storage_floats(to, s.size()));
    jhr::backends::cuda_detail::relayout_on_host(s, from, v.data(), to, out.data());
    return out;
}

// The precisions the convolutions compute at, each with its bound against the fp32 reference.
std::vector<std::pair<jhr::precision, double>> precisions_and_tolerances() {
    return {{jhr::precision::fp32, agreement_tolerance},
            {jhr::precision::tf32, jhr::testing::tf32_tolerance},
            {jhr::precision::bf16, jhr::testing::bf16_tolerance}};
}

// The CUDA convolution of g (x and dx in g.src_layout, y and dy in g.dst_layout) against the
// reference's on nchw tensors.
void check_agreement(const jhr::conv2d_geometry& g, bool bias, double tolerance = agreement_tolerance) {
    INFO(jhr::describe(g));
    CAPTURE(jhr::name(g.src_layout));
    CAPTURE(jhr::name(g.dst_layout));
    CAPTURE(bias);
    CAPTURE(tolerance);
    std::mt19937 rng{unsigned(g.in_height * 31 + g.kernel)};
    const auto x = random_vector(g.input().size(), rng), w = random_vector(g.weight().size(), rng),
               b = random_vector(std::size_t(g.out_channels), rng),
               dy = random_vector(g.output().size(), rng);
    const auto dx_in = to_device(relaid(g.input(), x, jhr::layout::nchw, g.src_layout)), dw_in = to_device(w),
               db_in = to_device(b), ddy = to_device(relaid(g.output(), dy, jhr::layout::nchw, g.dst_layout));
    // The results the CUDA calls write, in nchw.
    const auto y_of = [&](const jhr::cuda::buffer<float>& y) {
        return relaid(g.output(), to_host(y), g.dst_layout, jhr::layout::nchw);
    };
    const auto dx_of = [&](const jhr::cuda::buffer<float>& dx) {
        return relaid(g.input(), to_host(dx), g.src_layout, jhr::layout::nchw);
    };
    jhr::conv2d_geometry plain = g; // the reference's
    plain.src_layout = plain.dst_layout = jhr::layout::nchw;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    { // A direction's first call times candidate algorithms, which write its output too: choose them
        // first, so that the NaN-filled outputs below are written by the checked calls alone.
        jhr::cuda::buffer<float> y(g.output().size()), dx(g.input().size()), dw(g.weight().size()),
            db(std::size_t(g.out_channels));
        jhr::cuda::conv2d_forward(g, dx_in.data(), dw_in.data(), bias ? db_in.data() : nullptr, y.data());
        jhr::cuda::conv2d_backward_data(g, dw_in.data(), ddy.data(), dx.data());
        jhr::cuda::conv2d_backward_weights(g, dx_in.data(), ddy.data(), dw.data(),
                                           bias ? db.data() : nullptr);
    }

    std::vector<float> y_ref(g.output().size());
    jhr::reference::conv2d_forward(plain, x.data(), w.data(), bias ? b.data() : nullptr, y_ref.data());
    auto y = to_device(std::vector<float>(g.output().size(), nan));
    jhr::cuda::conv2d_forward(g, dx_in.data(), dw_in.data(), bias ? db_in.data() : nullptr, y.data());
    CHECK(relative_difference(y_of(y), y_ref) < tolerance);

    std::vector<float> dx_ref(g.input().size());
    jhr::reference::conv2d_backward_data(plain, w.data(), dy.data(), dx_ref.data());
    auto dx = to_device(std::vector<float>(g.input().size(), nan));
    jhr::cuda::conv2d_backward_data(g, dw_in.data(), ddy.data(), dx.data());
    CHECK(relative_difference(dx_of(dx), dx_ref) < tolerance);

    std::vector<float> dw_ref(g.weight().size()), db_ref(std::size_t(g.out_channels));
    jhr::reference::conv2d_backward_weights(plain, x.data(), dy.data(), dw_ref.data(),
                                            bias ? db_ref.data() : nullptr);
    auto dw = to_device(std::vector<float>(g.weight().size(), nan));
    auto db = to_device(std::vector<float>(std::size_t(g.out_channels), nan));
    jhr::cuda::conv2d_backward_weights(g, dx_in.data(), ddy.data(), dw.data(), bias ? db.data() : nullptr);
    CHECK(relative_difference(to_host(dw), dw_ref) < tolerance);
    if (bias)
        CHECK(relative_difference(to_host(db), db_ref) < tolerance);
    else
        CHECK(std::isnan(to_host(db)[0])); // a null bias gradient is not written
}

// check_agreement at the paper's and the small geometries with bias, and at one without, with x and
// dx stored in src, y and dy in dst.
void check_agreement_in(jhr::layout src, jhr::layout dst, double tolerance) {
    auto geometries = paper_geometries();
    for (const auto& g : small_geometries()) geometries.push_back(g);
    geometries.push_back(small_geometries()[1]); // the one checked without bias
    for (std::size_t k = 0; k < geometries.size(); ++k) {
        auto g = geometries[k];
        g.src_layout = src;
        g.dst_layout = dst;
        check_agreement(g, k + 1 < geometries.size(), tolerance);
    }
}

} // namespace

TEST_CASE("cuda convolution agrees with the reference on small and random geometries" *
          jhr::testing::needs_gpu()) {
    for (const auto& g : small_geometries()) {
        check_agreement(g, true);
        check_agreement(g, false);
    }
}

TEST_CASE("cuda convolution agrees with the reference at the paper's SRNET and FRNET layers" *
          jhr::testing::needs_gpu()) {
    for (const auto& g : paper_geometries()) check_agreement(g, true);
}

TEST_CASE("cuda convolution on nhwc tensors (input, output or both) agrees with the reference at fp32, "
          "tf32 and bf16" *
          jhr::testing::needs_gpu()) {
    for (const auto& [precision, tolerance] : precisions_and_tolerances()) {
        CAPTURE(jhr::name(precision));
        const jhr::testing::precision_scope scope(precision);
        for (const auto& [src, dst] : {std::pair{jhr::layout::nchw, jhr::layout::nhwc},
                                       std::pair{jhr::layout::nhwc, jhr::layout::nhwc},
                                       std::pair{jhr::layout::nhwc, jhr::layout::nchw}}) {
            check_agreement_in(src, dst, tolerance);
        }
    }
}

TEST_CASE("cuda convolution on nhwc_bf16 tensors agrees with the reference at bf16; an nhwc_bf16 input is "
          "widened at fp32 and tf32, an nhwc_bf16 output needs bf16" *
          jhr::testing::needs_gpu()) {
    using jhr::layout;
    for (const auto& [precision, tolerance] : precisions_and_tolerances()) {
        CAPTURE(jhr::name(precision));
        const jhr::testing::precision_scope scope(precision);
        const bool bf16 = precision == jhr::precision::bf16;
        // (at fp32 and tf32 the input is rounded already: bound by bf16's tolerance)
        const double bound = bf16 ? tolerance : jhr::testing::bf16_tolerance;
        for (const auto& [src, dst] :
             {std::pair{layout::nchw, layout::nhwc_bf16}, std::pair{layout::nhwc_bf16, layout::nhwc_bf16},
              std::pair{layout::nhwc_bf16, layout::nhwc}, std::pair{layout::nhwc_bf16, layout::nchw}}) {
            if (!bf16 && bfloat16_elements(dst)) continue;
            check_agreement_in(src, dst, bound);
        }
    }
    auto g = paper_geometries()[4];
    g.src_layout = g.dst_layout = layout::nhwc_bf16;
    const auto x = to_device(std::vector<float>(g.input().size())),
               w = to_device(std::vector<float>(g.weight().size()));
    jhr::cuda::buffer<float> y(g.output().size());
    CHECK_THROWS_WITH_AS(
        jhr::cuda::conv2d_forward(g, x.data(), w.data(), nullptr, y.data()),
        doctest::Contains("writes bfloat16, which needs precision bf16 (the precision is fp32)"),
        jhr::backend_error);
}

TEST_CASE("cuda convolution at tf32 precision agrees within 3e-3 at the paper's layers; fp32 again within "
          "1e-4 afterwards" *
          jhr::testing::needs_gpu()) {
    {
        const jhr::testing::precision_scope tf32(jhr::precision::tf32);
        for (const auto& g : paper_geometries()) check_agreement(g, true, jhr::testing::tf32_tolerance);
    }
    REQUIRE(jhr::cuda::precision() == jhr::precision::fp32);
    for (const auto& g : paper_geometries()) check_agreement(g, true);
}

TEST_CASE("cuda convolution at bf16 precision agrees within bf16_tolerance on small and the paper's layers, "
          "rounds differently from fp32; fp32 again within 1e-4 afterwards" *
          jhr::testing::needs_gpu()) {
    const jhr::conv2d_geometry g = paper_geometries()[4];
    std::mt19937 rng(5);
    const auto x = to_device(random_vector(g.input().size(), rng)),
               w = to_device(random_vector(g.weight().size(), rng));
    const auto forward = [&] {
        jhr::cuda::buffer<float> y(g.output().size());
        jhr::cuda::conv2d_forward(g, x.data(), w.data(), nullptr, y.data());
        return to_host(y);
    };
    const auto fp32 = forward();
    {
        const jhr::testing::precision_scope bf16(jhr::precision::bf16);
        for (const auto& s : small_geometries()) check_agreement(s, true, jhr::testing::bf16_tolerance);
        for (const auto& s : paper_geometries()) check_agreement(s, true, jhr::testing::bf16_tolerance);
        const double d = relative_difference(forward(), fp32);
        MESSAGE("bf16 against fp32 on " << jhr::describe(g) << ": " << d);
        CHECK(d > 1e-4); // bfloat16 operands (8 significant bits) really ran
    }
    REQUIRE(jhr::cuda::precision() == jhr::precision::fp32);
    CHECK(relative_difference(forward(), fp32) < agreement_tolerance);
}

TEST_CASE("cuda convolution repeats a step without cudaMalloc and with the same results, at fp32 and bf16" *
          jhr::testing::needs_gpu()) {
    const jhr::conv2d_geometry g{2, 16, 20, 18, 24, 3, 1, 1};
    std::mt19937 rng(3);
    const auto x = to_device(random_vector(g.input().size(), rng)),
               w = to_device(random_vector(g.weight().size(), rng)),
               b = to_device(random_vector(std::size_t(g.out_channels), rng)),
               dy = to_device(random_vector(g.output().size(), rng));
    jhr::cuda::buffer<float> y(g.output().size()), dx(g.input().size()), dw(g.weight().size()),
        db(std::size_t(g.out_channels));
    const auto step = [&] {
        jhr::cuda::conv2d_forward(g, x.data(), w.data(), b.data(), y.data());
        jhr::cuda::conv2d_backward_data(g, w.data(), dy.data(), dx.data());
        jhr::cuda::conv2d_backward_weights(g, x.data(), dy.data(), dw.data(), db.data());
        return std::vector{to_host(y), to_host(dx), to_host(dw), to_host(db)};
    };
    for (const jhr::precision precision : {jhr::precision::fp32, jhr::precision::bf16}) {
        CAPTURE(jhr::name(precision));
        const jhr::testing::precision_scope scope(precision);
        const auto first = step(); // chooses the algorithms and sizes the workspace
        jhr::cuda::reset_allocator_statistics();
        const auto second = step();
        CHECK(jhr::cuda::allocator_statistics().allocations == 0);
        for (std::size_t i = 0; i < first.size(); ++i) {
            CAPTURE(i);
            CHECK(relative_difference(second[i], first[i]) < agreement_tolerance);
        }
    }
}

TEST_CASE("deterministic cuda convolutions repeat bit for bit and agree with the reference at the paper's "
          "layers, at fp32, tf32 and bf16" *
          jhr::testing::needs_gpu()) {
    const jhr::testing::deterministic_scope deterministic(true);
    for (const auto& [precision, tolerance] : precisions_and_tolerances()) {
        CAPTURE(jhr::name(precision));
        const jhr::testing::precision_scope scope(precision);
        for (const auto& g : paper_geometries()) {
            check_agreement(g, true, tolerance);
            INFO(jhr::describe(g));
            std::mt19937 rng(9);
            const auto x = to_device(random_vector(g.input().size(), rng)),
                       w = to_device(random_vector(g.weight().size(), rng)),
                       dy = to_device(random_vector(g.output().size(), rng));
            const auto backward = [&] {
                jhr::cuda::buffer<float> dx(g.input().size()), dw(g.weight().size()),
                    db(std::size_t(g.out_channels));
                jhr::cuda::conv2d_backward_data(g, w.data(), dy.data(), dx.data());
                jhr::cuda::conv2d_backward_weights(g, x.data(), dy.data(), dw.data(), db.data());
                return std::vector{to_host(dx), to_host(dw), to_host(db)};
            };
            const auto first = backward();
            CHECK(backward() == first);
        }
    }
    CHECK(jhr::cuda::deterministic());
}

TEST_CASE("a convolution first met inside a cuda graph capture throws, naming it; once run, it is captured" *
          jhr::testing::needs_gpu()) {
    const jhr::conv2d_geometry g{3, 5, 13, 11, 7, 3, 1, 1}; // used by no other test
    std::mt19937 rng(41);
    const auto x = to_device(random_vector(g.input().size(), rng)),
               w = to_device(random_vector(g.weight().size(), rng));
    jhr::cuda::buffer<float> y(g.output().size());
    auto forward = [&] { jhr::cuda::conv2d_forward(g, x.data(), w.data(), nullptr, y.data()); };
    try {
        jhr::cuda::graph::capture(forward);
        FAIL("the capture did not throw");
    } catch (const jhr::backend_error& e) {
        const std::string message = e.what();
        CHECK(message.find("first forward convolution") != std::string::npos);
        CHECK(message.find("run the work once before capturing it") != std::string::npos);
    }
    forward();
    const auto eager = to_host(y);
    jhr::cuda::fill(y.size(), 0.0f, y.data());
    const auto graph = jhr::cuda::graph::capture(forward);
    graph.replay();
    CHECK(to_host(y) == eager);
}

TEST_CASE("cuda conv2d_backward writes what the two backward calls write, at fp32, tf32 and bf16" *
          jhr::testing::needs_gpu()) {
    const jhr::testing::deterministic_scope deterministic(true); // the same algorithms give the same bits
    std::mt19937 rng(43);
    for (const jhr::precision precision :
         {jhr::precision::fp32, jhr::precision::tf32, jhr::precision::bf16}) {
        const jhr::testing::precision_scope scope(precision);
        auto geometries = paper_geometries();
        for (const jhr::layout l : {jhr::layout::nhwc, jhr::layout::nhwc_bf16}) // and on nhwc tensors
            for (auto g : paper_geometries()) {
                if (bfloat16_elements(l) && precision != jhr::precision::bf16) continue;
                g.src_layout = g.dst_layout = l;
                geometries.push_back(g);
            }
        for (const auto& g : geometries) {
            CAPTURE(jhr::name(precision));
            CAPTURE(jhr::name(g.dst_layout));
            INFO(jhr::describe(g));
            const auto x = to_device(relaid(g.input(), random_vector(g.input().size(), rng),
                                            jhr::layout::nchw, g.src_layout)),
                       w = to_device(random_vector(g.weight().size(), rng)),
                       dy = to_device(relaid(g.output(), random_vector(g.output().size(), rng),
                                             jhr::layout::nchw, g.dst_layout));
            // (dx's storage: half the floats in nhwc_bf16; the paper's tensors have even sizes)
            jhr::cuda::buffer<float> dx(jhr::storage_floats(g.src_layout, g.input().size())),
                dw(g.weight().size()), db(std::size_t(g.out_channels));
            jhr::cuda::conv2d_backward_weights(g, x.data(), dy.data(), dw.data(), db.data());
            jhr::cuda::conv2d_backward_data(g, w.data(), dy.data(), dx.data());
            const auto dx_apart = to_host(dx), dw_apart = to_host(dw), db_apart = to_host(db);
            for (auto* b : {&dx, &dw, &db}) jhr::cuda::fill(b->size(), -7.0f, b->data());
            jhr::cuda::conv2d_backward(g, x.data(), w.data(), dy.data(), dx.data(), dw.data(), db.data());
            CHECK(to_host(dx) == dx_apart);
            CHECK(to_host(dw) == dw_apart);
            CHECK(to_host(db) == db_apart);
            // Without dx: dx is left alone.
            jhr::cuda::fill(dx.size(), -7.0f, dx.data());
            jhr::cuda::conv2d_backward(g, x.data(), w.data(), dy.data(), nullptr, dw.data(), nullptr);
            CHECK(to_host(dx) == std::vector<float>(dx.size(), -7.0f));
            CHECK(to_host(dw) == dw_apart);
        }
    }
}
