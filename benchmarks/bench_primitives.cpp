// Backend primitives on the paper's layer shapes, reference vs oneDNN (plain and blocked layouts).
// Convolutions: FRNET 3x3 pad 1 layers and the SRNET 9x9 first layer at batch 16. Threads: oneDNN
// follows OMP_NUM_THREADS (default: all cores); the reference backend is single-threaded.
// Run: jhr_bench_primitives --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include "jhr/backends/onednn.hpp"
#include "jhr/backends/reference.hpp"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

namespace {

using jhr::backends::convolution_layout;

enum class direction { forward, backward_data, backward_weights };

struct onednn_plain : jhr::onednn {
    static void prepare() { layout() = convolution_layout::plain; }
};
struct onednn_blocked : jhr::onednn {
    static void prepare() { layout() = convolution_layout::blocked; }
};
struct reference : jhr::reference {
    static void prepare() {}
};

std::vector<float> random_vector(std::size_t n) {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng);
    return v;
}

// args: in_channels, out_channels, height, width, kernel, pad
template <class Backend, direction Direction>
void conv2d(benchmark::State& state) {
    Backend::prepare();
    const jhr::conv2d_geometry g{16,
                                 int(state.range(0)),
                                 int(state.range(2)),
                                 int(state.range(3)),
                                 int(state.range(1)),
                                 int(state.range(4)),
                                 1,
                                 int(state.range(5))};
    const auto x = random_vector(g.input().size()), w = random_vector(g.weight().size()),
               b = random_vector(g.out_channels), dy = random_vector(g.output().size());
    std::vector<float> y(g.output().size()), dx(g.input().size()), dw(g.weight().size()), db(g.out_channels);
    const auto run = [&] {
        if constexpr (Direction == direction::forward)
            Backend::conv2d_forward(g, x.data(), w.data(), b.data(), y.data());
        else if constexpr (Direction == direction::backward_data)
            Backend::conv2d_backward_data(g, w.data(), dy.data(), dx.data());
        else
            Backend::conv2d_backward_weights(g, x.data(), dy.data(), dw.data(), db.data());
    };
    run(); // primitive creation stays out of the timing
    for (auto _ : state) {
        run();
        benchmark::ClobberMemory();
    }
    const double flops = 2.0 * double(g.output().size()) * g.in_channels * g.kernel * g.kernel;
    state.counters["GFLOP/s"] =
        benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void paper_layers(benchmark::internal::Benchmark* b) {
    b->ArgNames({"in", "out", "h", "w", "k", "pad"});
    b->Args({64, 64, 57, 49, 3, 1});   // FRNET
    b->Args({128, 128, 27, 23, 3, 1}); // FRNET
    b->Args({256, 256, 12, 10, 3, 1}); // FRNET
    b->Args({512, 512, 5, 4, 3, 1});   // FRNET
    b->Args({3, 64, 124, 108, 9, 0});  // SRNET first layer
    b->Unit(benchmark::kMillisecond)->UseRealTime();
}

// args: rows, cols
template <class Backend>
void add_row_vector(benchmark::State& state) {
    const auto rows = std::size_t(state.range(0)), cols = std::size_t(state.range(1));
    const auto v = random_vector(cols);
    auto y = random_vector(rows * cols);
    for (auto _ : state) {
        Backend::add_row_vector(rows, cols, v.data(), y.data());
        benchmark::ClobberMemory();
    }
}
template <class Backend>
void sum_rows(benchmark::State& state) {
    const auto rows = std::size_t(state.range(0)), cols = std::size_t(state.range(1));
    const auto x = random_vector(rows * cols);
    std::vector<float> out(cols);
    for (auto _ : state) {
        Backend::sum_rows(rows, cols, x.data(), out.data());
        benchmark::ClobberMemory();
    }
}
void dense_sizes(benchmark::internal::Benchmark* b) {
    b->ArgNames({"rows", "cols"})->Args({16, 512})->Args({16, 10575})->Unit(benchmark::kMicrosecond);
}

} // namespace

BENCHMARK(conv2d<reference, direction::forward>)->Apply(paper_layers)->Iterations(2);
BENCHMARK(conv2d<reference, direction::backward_data>)->Apply(paper_layers)->Iterations(2);
BENCHMARK(conv2d<reference, direction::backward_weights>)->Apply(paper_layers)->Iterations(2);
BENCHMARK(conv2d<onednn_plain, direction::forward>)->Apply(paper_layers);
BENCHMARK(conv2d<onednn_plain, direction::backward_data>)->Apply(paper_layers);
BENCHMARK(conv2d<onednn_plain, direction::backward_weights>)->Apply(paper_layers);
BENCHMARK(conv2d<onednn_blocked, direction::forward>)->Apply(paper_layers);
BENCHMARK(conv2d<onednn_blocked, direction::backward_data>)->Apply(paper_layers);
BENCHMARK(conv2d<onednn_blocked, direction::backward_weights>)->Apply(paper_layers);
BENCHMARK(add_row_vector<jhr::reference>)->Apply(dense_sizes);
BENCHMARK(add_row_vector<jhr::onednn>)->Apply(dense_sizes);
BENCHMARK(sum_rows<jhr::reference>)->Apply(dense_sizes);
BENCHMARK(sum_rows<jhr::onednn>)->Apply(dense_sizes);

BENCHMARK_MAIN();
