// The input pipeline: what one CPU core spends to prepare a training sample, and what the batch
// loader delivers per worker count. The paper's schedule (28,000 steps at batch 128) in 5 minutes
// needs about 12,000 samples/s from the loader while the GPU trains.
//   degrade:       one 124x108 face to its 4x LR version, bicubic-upscaled back (the SRNET input);
//   loader/cached: whole epochs of batch 128 from cached synthetic faces (degrade, flip, NCHW),
//                  argument = workers;
//   prepare_joint: the trainer thread's own share of a step at batch 128 before the network runs:
//                  the Joint Model's input and cropped HR target from a loaded batch, copied into
//                  backend tensors (reference backend: plain host copies).
// Run: jhr_bench_data --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include "jhr/backends/reference.hpp"
#include "jhr/data/loader.hpp"
#include "jhr/train/inputs.hpp"

#include <benchmark/benchmark.h>

namespace {

using namespace jhr::data;

void degrade_face(benchmark::State& state) {
    const jhr::image hr = synthetic_faces(1).render(0, 0);
    for (auto _ : state) benchmark::DoNotOptimize(jhr::degrade(hr, 4, true));
    state.SetItemsProcessed(state.iterations());
}

void loader_cached(benchmark::State& state) {
    loader_options o;
    o.batch_size = 128;
    o.cache = true;
    o.workers = int(state.range(0));
    batch_loader<synthetic_source> loader(synthetic_source(synthetic_faces(1), 64, 16), o);
    while (loader.next()) { // the first epoch renders and caches the faces
    }
    std::uint64_t epoch = 1;
    std::size_t samples = 0;
    for (auto _ : state) {
        loader.start_epoch(epoch++);
        while (auto batch = loader.next()) samples += batch->labels.size();
    }
    state.SetItemsProcessed(std::int64_t(samples));
}

void prepare_joint(benchmark::State& state) {
    loader_options o;
    o.batch_size = 128;
    o.hr_border = jhr::srnet_options{}.border(); // as jhr train: the loader cuts the HR target
    batch_loader<synthetic_source> loader(synthetic_source(synthetic_faces(1), 16, 8), o);
    const face_batch batch = *loader.next();
    jhr::input_preparer<jhr::reference> prepare(jhr::setting::joint, jhr::srnet_options{}.border());
    jhr::tensor<jhr::reference> input, target;
    for (auto _ : state) prepare(batch, input, target);
    state.SetItemsProcessed(state.iterations() * std::int64_t(o.batch_size));
}

} // namespace

BENCHMARK(degrade_face);
BENCHMARK(loader_cached)->Arg(1)->Arg(2)->Arg(4)->UseRealTime()->Unit(benchmark::kMillisecond);

BENCHMARK(prepare_joint)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
