// jhr/backends/onednn.hpp: the backend satisfies the concept; the host-shared primitives (memory,
// losses, center update, SGD) give the reference's results.
#include "agreement.hpp"

#include "jhr/backends/onednn.hpp"
#include "jhr/backends/reference.hpp"

#include <doctest/doctest.h>

#include <vector>

using jhr::testing::random_vector;

static_assert(jhr::Backend<jhr::onednn>);

TEST_CASE("onednn is named and its buffers are host memory") {
    CHECK(jhr::onednn::name == "onednn");
    jhr::onednn::buffer<float> buffer(4);
    const std::vector<float> host = {1, 2, 3, 4};
    jhr::onednn::upload(std::span<const float>(host), buffer.data());
    CHECK(jhr::onednn::sum(4, buffer.data()) == 10.0);
    CHECK(jhr::onednn::dot(4, buffer.data(), host.data()) == 30.0);
}

TEST_CASE("onednn losses, center update and SGD equal the reference's") {
    std::mt19937 rng(19);
    const std::size_t rows = 6, classes = 5, dim = 4;
    const auto logits = random_vector(rows * classes, rng, -3.0f, 3.0f), x = random_vector(rows * dim, rng);
    const std::vector<std::int32_t> labels = {0, 4, 2, 2, 1, 0};
    const auto centers = random_vector(classes * dim, rng);

    double value_ref = 0, value = 0;
    std::vector<float> g_ref(rows * classes), g(rows * classes);
    jhr::onednn::softmax_cross_entropy(rows, classes, logits.data(), labels.data(), 0.5, 0.5f, g.data(),
                                       &value);
    jhr::reference::softmax_cross_entropy(rows, classes, logits.data(), labels.data(), 0.5, 0.5f,
                                          g_ref.data(), &value_ref);
    CHECK(value == value_ref);
    CHECK(g == g_ref);

    std::vector<float> d_ref(rows * dim), d(rows * dim);
    jhr::onednn::center_distance(rows, dim, x.data(), labels.data(), centers.data(), 1.0, 0.25f, d.data(),
                                 &value);
    jhr::reference::center_distance(rows, dim, x.data(), labels.data(), centers.data(), 1.0, 0.25f,
                                    d_ref.data(), &value_ref);
    CHECK(value == value_ref);
    CHECK(d == d_ref);

    auto c_ref = centers, c = centers;
    jhr::reference::center_update(rows, dim, x.data(), labels.data(), 0.5f, c_ref.data());
    jhr::onednn::center_update(rows, dim, x.data(), labels.data(), 0.5f, c.data());
    CHECK(c == c_ref);
    CHECK(c[3 * dim] == centers[3 * dim]); // class 3 is absent from the batch

    const auto t = random_vector(rows * dim, rng);
    jhr::onednn::squared_difference(rows * dim, x.data(), t.data(), 1.0, 1.0f, d.data(), &value);
    jhr::reference::squared_difference(rows * dim, x.data(), t.data(), 1.0, 1.0f, d_ref.data(), &value_ref);
    CHECK(value == value_ref);
    CHECK(d == d_ref);

    auto w_ref = x, w = x, v_ref = t, v = t;
    jhr::reference::sgd_momentum_update(w.size(), 0.1f, 0.9f, 5e-4f, w_ref.data(), g.data(), v_ref.data());
    jhr::onednn::sgd_momentum_update(w.size(), 0.1f, 0.9f, 5e-4f, w.data(), g.data(), v.data());
    CHECK(w == w_ref);
    CHECK(v == v_ref);
}
