// The paper's whole Joint Model (SRNET + FRNET, 124x108 input, 10575 classes): one training step
// as the trainer runs it (forward, backward, SGD step, center update) and inference (LR face to
// 512-d feature), per backend and batch. Threads: oneDNN follows OMP_NUM_THREADS.
// The reference backend runs the training step at batch 4 only (about 10 s per step at batch 16);
// CUDA runs batch 16 and the paper's 128, and its rows report "skipped: no GPU" without one.
// Run: jhr_bench_network --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include "bench_command.hpp"

#include <benchmark/benchmark.h>

#include <type_traits>

namespace {

// False, with the benchmark marked skipped, when Backend needs a GPU and none is usable.
template <class Backend>
bool usable(benchmark::State& state) {
#if defined(JHR_HAVE_CUDA)
    if constexpr (std::is_same_v<Backend, jhr::cuda>) {
        if (!jhr::cuda::available()) {
            state.SkipWithError("skipped: no GPU");
            return false;
        }
    }
#endif
    (void)state;
    return true;
}

template <class Backend>
void train_step(benchmark::State& state) {
    if (!usable<Backend>(state)) return;
    jhr::cli::joint_benchmark_options o;
    o.batch = int(state.range(0));
    jhr::cli::joint_benchmark<Backend> bench(o);
    bench.train(); // primitive creation and first allocations stay out of the timing
    for (auto _ : state) bench.train();
    state.SetItemsProcessed(state.iterations() * o.batch);
}

template <class Backend>
void inference(benchmark::State& state) {
    if (!usable<Backend>(state)) return;
    jhr::cli::joint_benchmark_options o;
    o.batch = int(state.range(0));
    jhr::cli::joint_benchmark<Backend> bench(o);
    bench.infer();
    for (auto _ : state) benchmark::DoNotOptimize(bench.infer().data());
    state.SetItemsProcessed(state.iterations() * o.batch);
}

} // namespace

BENCHMARK(train_step<jhr::reference>)
    ->ArgName("batch")
    ->Arg(4)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);
BENCHMARK(inference<jhr::reference>)
    ->ArgName("batch")
    ->Arg(16)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);
#if defined(JHR_HAVE_ONEDNN)
BENCHMARK(train_step<jhr::onednn>)
    ->ArgName("batch")
    ->Arg(16)
    ->Arg(32)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(inference<jhr::onednn>)
    ->ArgName("batch")
    ->Arg(16)
    ->Arg(32)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
#endif
#if defined(JHR_HAVE_CUDA)
BENCHMARK(train_step<jhr::cuda>)
    ->ArgName("batch")
    ->Arg(16)
    ->Arg(128)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(inference<jhr::cuda>)
    ->ArgName("batch")
    ->Arg(16)
    ->Arg(128)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
#endif

BENCHMARK_MAIN();
