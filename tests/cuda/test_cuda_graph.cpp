// jhr/backends/cuda/graph.hpp: captured work runs only when replayed, each replay runs all of it on
// the memory chosen at capture, inputs written before a replay are read by it, captured work cannot
// wait for the device, and the memory a graph uses goes to no other use while it lives.
#include "gpu.hpp"

#include <doctest/doctest.h>

#include <span>
#include <string>
#include <vector>

using jhr::testing::to_device;
using jhr::testing::to_host;

namespace {

// y = 2 * (x + y) + 1 through a scratch buffer the work allocates and frees.
void graph_step(std::size_t n, const float* x, float* y) {
    jhr::cuda::buffer<float> scratch(n);
    jhr::cuda::add(n, x, y, scratch.data());
    jhr::cuda::scale(n, 2.0f, scratch.data());
    jhr::cuda::fill(n, 1.0f, y);
    jhr::cuda::axpy(n, 1.0f, scratch.data(), y);
}

std::string capture_message(void (*work)()) {
    try {
        jhr::cuda::graph::capture(work);
    } catch (const jhr::backend_error& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("a cuda graph replays its captured work on the memory chosen at capture" *
          jhr::testing::needs_gpu()) {
    const std::size_t n = 1000;
    std::vector<float> x(n), y(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = float(i % 17), y[i] = float(i % 5);
    auto dx = to_device(x), dy = to_device(y);
    std::vector<float> expected = y;
    auto eager_step = [&](const std::vector<float>& in) {
        for (std::size_t i = 0; i < n; ++i) expected[i] = 2.0f * (in[i] + expected[i]) + 1.0f;
    };

    graph_step(n, dx.data(), dy.data()); // eager, as the work runs once before its capture
    eager_step(x);
    const auto graph = jhr::cuda::graph::capture([&] { graph_step(n, dx.data(), dy.data()); });
    CHECK_FALSE(graph.empty());
    CHECK(to_host(dy) == expected); // captured, not run

    graph.replay();
    eager_step(x);
    CHECK(to_host(dy) == expected);
    for (float& v : x) v = -v; // a new input, written where the work reads it
    jhr::cuda::upload(std::span<const float>(x), dx.data());
    graph.replay();
    graph.replay();
    eager_step(x);
    eager_step(x);
    CHECK(to_host(dy) == expected);
}

TEST_CASE("an upload inside captured work is replayed with the data it had at capture" *
          jhr::testing::needs_gpu()) {
    std::vector<float> host = {1.0f, 2.0f, 3.0f};
    jhr::cuda::buffer<float> device(host.size());
    const auto graph = jhr::cuda::graph::capture([&] {
        jhr::cuda::upload(std::span<const float>(host), device.data());
        jhr::cuda::scale(host.size(), 10.0f, device.data());
    });
    host = {7.0f, 8.0f, 9.0f};
    jhr::cuda::upload(std::span<const float>(host), device.data());
    CHECK(to_host(device) == host);
    graph.replay();
    CHECK(to_host(device) == std::vector<float>{10.0f, 20.0f, 30.0f});
}

TEST_CASE("captured work cannot wait for the device; a failed capture leaves no capture behind" *
          jhr::testing::needs_gpu()) {
    static jhr::cuda::buffer<float> values(4);
    const std::string download = capture_message([] {
        jhr::cuda::fill(4, 1.0f, values.data());
        std::vector<float> host(4);
        jhr::cuda::download(values.data(), std::span<float>(host));
    });
    CHECK(download.find("download") != std::string::npos);
    CHECK(download.find("while capturing a CUDA graph") != std::string::npos);
    CHECK(!capture_message([] { jhr::cuda::synchronize(); }).empty());
    CHECK(!capture_message([] { (void)jhr::cuda::sum(4, values.data()); }).empty());
    CHECK_THROWS_WITH_AS(jhr::cuda::graph::capture([] { throw jhr::error("the work's own failure"); }),
                         "the work's own failure", jhr::error);

    // Nothing was left capturing or recorded: eager work runs at once, and a capture works again.
    jhr::cuda::fill(4, 3.0f, values.data());
    CHECK(to_host(values) == std::vector<float>(4, 3.0f));
    const auto graph = jhr::cuda::graph::capture([] { jhr::cuda::scale(4, 2.0f, values.data()); });
    graph.replay();
    CHECK(to_host(values) == std::vector<float>(4, 6.0f));
    CHECK_THROWS_AS(jhr::cuda::graph().replay(), jhr::backend_error);
}

TEST_CASE("memory a graph's work allocated or freed goes to no other use while the graph lives" *
          jhr::testing::needs_gpu()) {
    const std::size_t n = 3000;
    auto dx = to_device(std::vector<float>(n, 1.0f));
    auto dy = to_device(std::vector<float>(n, 0.0f));
    graph_step(n, dx.data(), dy.data());
    const float* scratch_at_capture = nullptr;
    // Allocated before the capture, used and freed by it (a size nothing else in it takes).
    auto earlier = std::make_unique<jhr::cuda::buffer<float>>(2 * n);
    const float* earlier_at = earlier->data();
    auto graph = std::make_unique<jhr::cuda::graph>(jhr::cuda::graph::capture([&] {
        jhr::cuda::buffer<float> scratch(n);
        scratch_at_capture = scratch.data();
        jhr::cuda::copy(n, dx.data(), earlier->data());
        earlier.reset();
        graph_step(n, dx.data(), dy.data());
    }));
    // Requests of the scratch's size now get other blocks, which may hold anything.
    std::vector<jhr::cuda::buffer<float>> others;
    for (int k = 0; k < 4; ++k) {
        others.emplace_back(n);
        CHECK(others.back().data() != scratch_at_capture);
        jhr::cuda::fill(n, 1e6f, others.back().data());
        others.emplace_back(2 * n);
        CHECK(others.back().data() != earlier_at);
    }
    jhr::cuda::fill(n, 0.0f, dy.data());
    graph->replay();
    CHECK(to_host(dy) == std::vector<float>(n, 3.0f)); // 2 * (1 + 0) + 1
    others.clear();

    // Once the graph is gone its blocks serve other requests again.
    graph.reset();
    bool reused = false;
    for (int k = 0; k < 8; ++k) {
        others.emplace_back(n);
        reused = reused || others.back().data() == scratch_at_capture;
    }
    CHECK(reused);
}
