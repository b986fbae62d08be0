// jhr/backends/cuda/loss.hpp against the reference: the scaled sums written to device memory,
// gradients (nullable), and the center update with repeated and absent classes.
#include "backends/agreement.hpp"
#include "gpu.hpp"

#include "jhr/backends/reference.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

using jhr::testing::agreement_tolerance;
using jhr::testing::random_vector;
using jhr::testing::relative_difference;
using jhr::testing::to_device;
using jhr::testing::to_host;

namespace {

bool close(double a, double b) {
    return std::abs(a - b) <= 1e-6 * std::max(std::abs(a), std::abs(b));
}

// The value a loss call writes to a one-element device buffer, downloaded.
template <class Loss>
double device_value(Loss&& loss) {
    jhr::cuda::buffer<double> value(1);
    loss(value.data());
    return to_host(value)[0];
}

std::vector<std::int32_t> random_labels(std::size_t rows, int classes, std::mt19937& rng) {
    std::uniform_int_distribution<int> pick(0, classes - 1);
    std::vector<std::int32_t> labels(rows);
    for (auto& l : labels) l = pick(rng);
    return labels;
}

} // namespace

TEST_CASE("cuda softmax_cross_entropy agrees with the reference, with and without gradient" *
          jhr::testing::needs_gpu()) {
    // 10575 classes: the CASIA-WebFace identities the paper trains on; 3 classes: one block per row.
    for (const auto& [rows, classes] : {std::pair<std::size_t, std::size_t>{8, 10575}, {5, 3}, {128, 300}}) {
        CAPTURE(rows);
        CAPTURE(classes);
        std::mt19937 rng{unsigned(rows * classes)};
        const auto logits = random_vector(rows * classes, rng, -8.0f, 8.0f);
        const auto labels = random_labels(rows, int(classes), rng);
        std::vector<float> grad_ref(rows * classes);
        double loss_ref = 0;
        jhr::reference::softmax_cross_entropy(rows, classes, logits.data(), labels.data(), 0.5,
                                              1.0f / float(rows), grad_ref.data(), &loss_ref);
        const auto dlogits = to_device(logits);
        const auto dlabels = to_device(labels);
        jhr::cuda::buffer<float> grad(rows * classes);
        CHECK(close(device_value([&](double* value) {
                        jhr::cuda::softmax_cross_entropy(rows, classes, dlogits.data(), dlabels.data(), 0.5,
                                                         1.0f / float(rows), grad.data(), value);
                    }),
                    loss_ref));
        CHECK(relative_difference(to_host(grad), grad_ref) < agreement_tolerance);
        CHECK(close(device_value([&](double* value) {
                        jhr::cuda::softmax_cross_entropy(rows, classes, dlogits.data(), dlabels.data(), 1.0,
                                                         1.0f, nullptr, value);
                    }),
                    2 * loss_ref));
    }
}

TEST_CASE("cuda center_distance and squared_difference agree with the reference" *
          jhr::testing::needs_gpu()) {
    const std::size_t rows = 128, dim = 512, classes = 40;
    std::mt19937 rng(23);
    const auto x = random_vector(rows * dim, rng), centers = random_vector(classes * dim, rng);
    const auto labels = random_labels(rows, int(classes), rng);
    std::vector<float> dx_ref(rows * dim);
    double loss_ref = 0;
    jhr::reference::center_distance(rows, dim, x.data(), labels.data(), centers.data(), 1.0, 0.5f,
                                    dx_ref.data(), &loss_ref);
    const auto dx_in = to_device(x), dcenters = to_device(centers);
    const auto dlabels = to_device(labels);
    jhr::cuda::buffer<float> dx(rows * dim);
    CHECK(close(device_value([&](double* value) {
                    jhr::cuda::center_distance(rows, dim, dx_in.data(), dlabels.data(), dcenters.data(), 1.0,
                                               0.5f, dx.data(), value);
                }),
                loss_ref));
    CHECK(relative_difference(to_host(dx), dx_ref) < agreement_tolerance);
    CHECK(close(device_value([&](double* value) {
                    jhr::cuda::center_distance(rows, dim, dx_in.data(), dlabels.data(), dcenters.data(), 0.25,
                                               0.5f, nullptr, value);
                }),
                0.25 * loss_ref));

    // SRNET's hallucination loss on 2 images of 3 x 116 x 100.
    const std::size_t n = 2 * 3 * 116 * 100;
    const auto y = random_vector(n, rng), t = random_vector(n, rng);
    std::vector<float> dy_ref(n);
    double sq_ref = 0;
    jhr::reference::squared_difference(n, y.data(), t.data(), 1.0, 0.25f, dy_ref.data(), &sq_ref);
    const auto dy_in = to_device(y), dt = to_device(t);
    jhr::cuda::buffer<float> dy(n);
    CHECK(close(device_value([&](double* value) {
                    jhr::cuda::squared_difference(n, dy_in.data(), dt.data(), 1.0, 0.25f, dy.data(), value);
                }),
                sq_ref));
    CHECK(relative_difference(to_host(dy), dy_ref) < agreement_tolerance);
    CHECK(close(device_value([&](double* value) {
                    jhr::cuda::squared_difference(n, dy_in.data(), dt.data(), 1.0, 0.25f, nullptr, value);
                }),
                sq_ref));
}

TEST_CASE("cuda losses of an empty batch write 0" * jhr::testing::needs_gpu()) {
    const auto x = to_device(std::vector<float>{1.0f});
    const auto labels = to_device(std::vector<std::int32_t>{0});
    auto value = to_device(std::vector<double>{7.0}); // left by an earlier call
    jhr::cuda::softmax_cross_entropy(0, 3, x.data(), labels.data(), 1.0, 1.0f, nullptr, value.data());
    CHECK(to_host(value)[0] == 0.0);
    value = to_device(std::vector<double>{7.0});
    jhr::cuda::center_distance(0, 1, x.data(), labels.data(), x.data(), 1.0, 1.0f, nullptr, value.data());
    CHECK(to_host(value)[0] == 0.0);
    value = to_device(std::vector<double>{7.0});
    jhr::cuda::squared_difference(0, x.data(), x.data(), 1.0, 1.0f, nullptr, value.data());
    CHECK(to_host(value)[0] == 0.0);
}

TEST_CASE("cuda center_update agrees with the reference; absent classes stay untouched" *
          jhr::testing::needs_gpu()) {
    const std::size_t rows = 12, dim = 64, classes = 10;
    std::mt19937 rng(29);
    const auto x = random_vector(rows * dim, rng);
    auto centers = random_vector(classes * dim, rng);
    // Class 3 four times (non-adjacent), 0 twice, 7 once; classes 1, 2, 4, 5, 6, 8, 9 absent.
    const std::vector<std::int32_t> labels = {3, 0, 3, 7, 3, 0, 3, 9, 9, 9, 9, 9};
    const auto before = centers;
    const auto dx_in = to_device(x);
    const auto dlabels = to_device(labels);
    auto dcenters = to_device(centers);
    jhr::reference::center_update(rows, dim, x.data(), labels.data(), 0.5f, centers.data());
    jhr::cuda::center_update(rows, dim, dx_in.data(), dlabels.data(), 0.5f, dcenters.data());
    const auto updated = to_host(dcenters);
    CHECK(relative_difference(updated, centers) < agreement_tolerance);
    for (const std::size_t absent : {1, 2, 4, 5, 6, 8}) {
        CAPTURE(absent);
        for (std::size_t d = 0; d < dim; ++d) CHECK(updated[absent * dim + d] == before[absent * dim + d]);
    }
    // Eq. 14 by hand for class 7 (one sample): m -= 0.5 (m - x_3) / 2.
    for (std::size_t d = 0; d < dim; ++d)
        CHECK(updated[7 * dim + d] ==
              doctest::Approx(before[7 * dim + d] - 0.25f * (before[7 * dim + d] - x[3 * dim + d])));
}
