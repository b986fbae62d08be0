// Each layer of the paper's Joint Model at batch 16, forward and backward (backward includes the
// parameter gradients and dL/dx), per backend: SRNET's three convolutions and ReLU; FRNET's stage
// convolutions (3x3 pad 0), PReLU and max pooling per stage, one residual block per stage, the
// 10240->512 inner product and the 512->10575 softmax classifier; SRNET's first convolution and
// ReLU, and each FRNET stage's convolution and PReLU, also as one pair, run as one (.paired: the
// bias added inside the activation where the backend has BiasActivationEpilogues) and layer by
// layer (.apart).
// Names: <backend>/<layer>/<pass>.
// Threads: oneDNN follows OMP_NUM_THREADS; the reference backend is single-threaded and runs one
// iteration per benchmark. The CUDA rows are registered when a GPU is usable. Rows at another
// precision than fp32 carry it in the backend part of the name: onednn.bf16 (where this CPU has
// bf16 convolutions), cuda.tf32 and cuda.bf16.
// Run: jhr_bench_layers --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include "jhr/backends/reference.hpp"
#include "jhr/core/precision.hpp"
#include "jhr/layers/conv2d.hpp"
#include "jhr/layers/linear.hpp"
#include "jhr/layers/max_pool2d.hpp"
#include "jhr/layers/prelu.hpp"
#include "jhr/layers/relu.hpp"
#include "jhr/layers/residual_block.hpp"
#if defined(JHR_HAVE_ONEDNN)
#include "jhr/backends/onednn.hpp"
#endif
#if defined(JHR_HAVE_CUDA)
#include "jhr/backends/cuda.hpp"
#endif

#include <benchmark/benchmark.h>

#include <functional>
#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr int batch = 16;

// A convolution and the activation after it, run with forward_pair or layer by layer.
template <class B, class Activation>
struct conv_then {
    jhr::conv2d<B> conv;
    Activation act;
    bool paired;

    jhr::shape output_shape(const jhr::shape& in) const { return conv.output_shape(in); }
    void initialize(jhr::rng& r) { conv.initialize(r); }
    const jhr::tensor<B>& forward(const jhr::tensor<B>& x) {
        return paired ? jhr::forward_pair(conv, act, x) : act.forward(conv.forward(x));
    }
    const jhr::tensor<B>& backward(const jhr::tensor<B>& dy) { return conv.backward(act.backward(dy)); }
};

template <class Backend, class Layer>
void run_layer(benchmark::State& state, Layer layer, jhr::shape input, bool backward, jhr::precision p) {
    jhr::use_precision<Backend>(p); // each row sets its own
    jhr::rng r(1);
    layer.initialize(r);
    std::vector<float> host(input.size());
    for (float& v : host) v = float(jhr::uniform(r, -1.0, 1.0));
    jhr::tensor<Backend> x(input);
    Backend::upload(std::span<const float>(host), x.data());
    jhr::tensor<Backend> dy(layer.output_shape(input), 0.01f);
    const auto step = [&] {
        const auto& y = layer.forward(x);
        if (backward) benchmark::DoNotOptimize(layer.backward(dy).data());
        benchmark::DoNotOptimize(y.data());
        Backend::synchronize();
    };
    step(); // primitive creation and allocation stay out of the timing
    if (backward) {
        // Time the backward pass alone: forward state stays from the warm-up call.
        for (auto _ : state) {
            benchmark::DoNotOptimize(layer.backward(dy).data());
            Backend::synchronize();
        }
    } else {
        for (auto _ : state) step();
    }
    state.SetItemsProcessed(state.iterations() * batch);
}

template <class Backend>
void register_backend(const std::string& backend, bool slow, jhr::precision p = jhr::precision::fp32) {
    using B = Backend;
    const auto add = [&](const std::string& layer, auto make, jhr::shape input) {
        for (const bool backward : {false, true}) {
            auto* b = benchmark::RegisterBenchmark(
                (backend + "/" + layer + (backward ? "/backward" : "/forward")).c_str(),
                [make, input, backward, p](benchmark::State& s) {
                    run_layer<B>(s, make(), input, backward, p);
                });
            b->Unit(benchmark::kMillisecond)->UseRealTime();
            if (slow) b->Iterations(1);
        }
    };
    // SRNET (Table 1) on the 124x108 input.
    add("srnet.conv1_9x9_3_64", [] { return jhr::conv2d<B>({3, 64, 9, 1, 0}); }, {batch, 3, 124, 108});
    add("srnet.relu1", [] { return jhr::relu<B>(); }, {batch, 64, 116, 100});
    for (const bool paired : {true, false})
        add(std::string("srnet.conv1_relu1.") + (paired ? "paired" : "apart"),
            [paired] {
                return conv_then<B, jhr::relu<B>>{jhr::conv2d<B>({3, 64, 9, 1, 0}), jhr::relu<B>(), paired};
            },
            {batch, 3, 124, 108});
    add("srnet.conv2_1x1_64_32", [] { return jhr::conv2d<B>({64, 32, 1, 1, 0}); }, {batch, 64, 116, 100});
    add("srnet.conv3_1x1_32_3", [] { return jhr::conv2d<B>({32, 3, 1, 1, 0}); }, {batch, 32, 116, 100});
    // FRNET (Table 2) on SRNET's 116x100 output: per stage conv, PReLU, pool, one residual block.
    struct stage {
        int in, out, height, width; // the stage convolution's input
    };
    for (const stage s :
         {stage{3, 64, 116, 100}, stage{64, 128, 57, 49}, stage{128, 256, 27, 23}, stage{256, 512, 12, 10}}) {
        const int h = s.height - 2, w = s.width - 2;
        const std::string name = "frnet." + std::to_string(s.out) + ".";
        add(name + "conv_3x3_" + std::to_string(s.in) + "_" + std::to_string(s.out),
            [s] {
                return jhr::conv2d<B>({s.in, s.out, 3, 1, 0});
            },
            {batch, s.in, s.height, s.width});
        add(name + "prelu", [s] { return jhr::prelu<B>(s.out); }, {batch, s.out, h, w});
        for (const bool paired : {true, false})
            add(name + (paired ? "conv_prelu.paired" : "conv_prelu.apart"),
                [s, paired] {
                    return conv_then<B, jhr::prelu<B>>{jhr::conv2d<B>({s.in, s.out, 3, 1, 0}),
                                                       jhr::prelu<B>(s.out), paired};
                },
                {batch, s.in, s.height, s.width});
        add(name + "max_pool_2x2", [] { return jhr::max_pool2d<B>(); }, {batch, s.out, h, w});
        add(name + "residual_block", [s] { return jhr::residual_block<B>(s.out); },
            {batch, s.out, h / 2, w / 2});
    }
    add("frnet.linear_10240_512", [] { return jhr::linear<B>(10240, 512); }, {batch, 512, 5, 4});
    add("softmax.classifier_512_10575", [] { return jhr::linear<B>(512, 10575); }, {batch, 512, 1, 1});
}

} // namespace

int main(int argc, char** argv) {
    register_backend<jhr::reference>("reference", true);
#if defined(JHR_HAVE_ONEDNN)
    register_backend<jhr::onednn>("onednn", false);
    if (jhr::onednn::supports_precision(jhr::precision::bf16))
        register_backend<jhr::onednn>("onednn.bf16", false, jhr::precision::bf16);
    else
        std::cerr << "onednn.bf16: skipped: oneDNN has no bf16 convolutions on this CPU\n";
#endif
#if defined(JHR_HAVE_CUDA)
    if (jhr::cuda::available()) {
        register_backend<jhr::cuda>("cuda", false);
        register_backend<jhr::cuda>("cuda.tf32", false, jhr::precision::tf32);
        register_backend<jhr::cuda>("cuda.bf16", false, jhr::precision::bf16);
    } else
        std::cerr << "cuda: skipped: no GPU\n";
#endif
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
