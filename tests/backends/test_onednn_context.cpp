// jhr/backends/onednn/context.hpp: primitives are created once per geometry and reused.
#include "jhr/backends/onednn.hpp"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

TEST_CASE("onednn creates a primitive once per geometry and kind, then reuses it") {
    const jhr::conv2d_geometry g{2, 3, 11, 9, 4, 3, 1, 1};
    std::vector<float> x(g.input().size(), 1.0f), w(g.weight().size(), 0.5f), b(4, 0.0f),
        y(g.output().size());

    jhr::onednn::conv2d_forward(g, x.data(), w.data(), b.data(), y.data());
    const std::size_t after_first = jhr::onednn::primitives_created();
    jhr::onednn::conv2d_forward(g, x.data(), w.data(), b.data(), y.data());
    CHECK(jhr::onednn::primitives_created() == after_first);

    jhr::onednn::conv2d_forward(g, x.data(), w.data(), nullptr, y.data()); // no bias: another primitive
    CHECK(jhr::onednn::primitives_created() == after_first + 1);

    jhr::conv2d_geometry other = g;
    other.batch = 3;
    std::vector<float> x3(other.input().size(), 1.0f), y3(other.output().size());
    jhr::onednn::conv2d_forward(other, x3.data(), w.data(), b.data(), y3.data());
    CHECK(jhr::onednn::primitives_created() == after_first + 2);
    jhr::onednn::conv2d_forward(other, x3.data(), w.data(), b.data(), y3.data());
    jhr::onednn::conv2d_forward(g, x.data(), w.data(), nullptr, y.data());
    CHECK(jhr::onednn::primitives_created() == after_first + 2);
}

TEST_CASE("onednn pooling forward shares its primitive with the workspace size query") {
    const jhr::pool2d_geometry g{1, 2, 7, 7, 2, 2};
    const std::size_t before = jhr::onednn::primitives_created();
    std::vector<float> x(g.input().size(), 1.0f), y(g.output().size()),
        ws(jhr::onednn::max_pool2d_workspace(g));
    CHECK(jhr::onednn::primitives_created() == before + 1);
    jhr::onednn::max_pool2d_forward(g, x.data(), y.data(), ws.data());
    jhr::onednn::max_pool2d_forward(g, x.data(), y.data(), ws.data());
    CHECK(jhr::onednn::primitives_created() == before + 1);
}

TEST_CASE("onednn caches per thread: another thread builds its own primitive and gets the same result") {
    const std::size_t n = 100;
    std::vector<float> x(n), y_main(n), y_thread(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = float(i) - 50.0f;
    jhr::onednn::relu_forward(n, x.data(), y_main.data());
    const std::size_t before = jhr::onednn::primitives_created();
    std::thread([&] { jhr::onednn::relu_forward(n, x.data(), y_thread.data()); }).join();
    CHECK(jhr::onednn::primitives_created() == before + 1);
    CHECK(y_thread == y_main);
}
