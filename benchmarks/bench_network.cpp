// The paper's whole Joint Model (SRNET + FRNET, 124x108 input, 10575 classes): one training step
// as the trainer runs it (forward, backward, SGD step, center update) and inference (LR face to
// 512-d feature), per backend and batch. Threads: oneDNN follows OMP_NUM_THREADS.
// The reference backend runs the training step at batch 4 only (about 10 s per step at batch 16);
// CUDA runs batch 16 and the paper's 128, and its rows report "skipped: no GPU" without one.
// The second argument is the precision (jhr::precision: 0 fp32, 1 tf32, 2 bf16; the label names
// it): oneDNN at fp32 and bf16, CUDA at all three; a row the backend cannot run is skipped. CUDA's
// rows run again with graphs (train_step<jhr::cuda, true>): the step and inference captured once,
// after the untimed first call, and replayed.
// Run: jhr_bench_network --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include "bench_command.hpp"

#include <benchmark/benchmark.h>

#include <string>
#include <type_traits>

namespace {

// Sets Backend's precision from the benchmark's second argument (each row sets its own).
template <class Backend>
bool at_precision(benchmark::State& state) {
    const auto p = jhr::precision(state.range(1));
    state.SetLabel(std::string(jhr::name(p)));
    if (!jhr::computes_at<Backend>(p)) {
        state.SkipWithError((std::string("skipped: ") + std::string(Backend::name) + " does not compute at " +
                             std::string(jhr::name(p)))
                                .c_str());
        return false;
    }
    jhr::use_precision<Backend>(p);
    return true;
}

// False, with the benchmark marked skipped, when Backend needs a GPU and none is usable or does not
// compute at the precision asked for.
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
    return at_precision<Backend>(state);
}

template <class Backend, bool Graph = false>
void train_step(benchmark::State& state) {
    if (!usable<Backend>(state)) return;
    jhr::cli::joint_benchmark_options o;
    o.batch = int(state.range(0));
    o.graph = Graph;
    jhr::cli::joint_benchmark<Backend> bench(o);
    bench.train(); // primitive creation and first allocations stay out of the timing
    for (auto _ : state) bench.train();
    state.SetItemsProcessed(state.iterations() * o.batch);
}

template <class Backend, bool Graph = false>
void inference(benchmark::State& state) {
    if (!usable<Backend>(state)) return;
    jhr::cli::joint_benchmark_options o;
    o.batch = int(state.range(0));
    o.graph = Graph;
    jhr::cli::joint_benchmark<Backend> bench(o);
    bench.infer();
    for (auto _ : state) benchmark::DoNotOptimize(bench.infer().data());
    state.SetItemsProcessed(state.iterations() * o.batch);
}

} // namespace

BENCHMARK(train_step<jhr::reference>)
    ->ArgNames({"batch", "precision"})
    ->Args({4, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);
BENCHMARK(inference<jhr::reference>)
    ->ArgNames({"batch", "precision"})
    ->Args({16, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);
#if defined(JHR_HAVE_ONEDNN)
BENCHMARK(train_step<jhr::onednn>)
    ->ArgNames({"batch", "precision"})
    ->ArgsProduct({{16, 32}, {int(jhr::precision::fp32), int(jhr::precision::bf16)}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(inference<jhr::onednn>)
    ->ArgNames({"batch", "precision"})
    ->ArgsProduct({{16, 32}, {int(jhr::precision::fp32), int(jhr::precision::bf16)}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
#endif
#if defined(JHR_HAVE_CUDA)
// Batch 16 and the paper's 128, at each of the three precisions.
static void cuda_rows(benchmark::internal::Benchmark* rows) {
    rows->ArgNames({"batch", "precision"})
        ->ArgsProduct(
            {{16, 128}, {int(jhr::precision::fp32), int(jhr::precision::tf32), int(jhr::precision::bf16)}})
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
}
BENCHMARK(train_step<jhr::cuda>)->Apply(cuda_rows);
BENCHMARK(inference<jhr::cuda>)->Apply(cuda_rows);
BENCHMARK_TEMPLATE(train_step, jhr::cuda, true)->Apply(cuda_rows);
BENCHMARK_TEMPLATE(inference, jhr::cuda, true)->Apply(cuda_rows);
#endif

BENCHMARK_MAIN();
