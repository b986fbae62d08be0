// jhr/tools/bench_command.hpp: `jhr bench --backend B --batch N --threads T [--iterations K] [--json]`.
//
// Measures the paper's Joint Model (SRNET Table 1 + FRNET Table 2, 124x108 input, 10575 classes
// as CASIA-WebFace) on random data:
// - training: one joint step as the trainer runs it (forward, heads, backward, SGD with momentum
//   0.9 and weight decay 5e-4 at the paper's per-stage rates, center update);
// - inference: the LR face through SRNET and FRNET to the 512-d feature.
// Each is warmed up, then timed K times; images/s = batch / median step time. Peak resident
// memory (getrusage ru_maxrss) is read after the training iterations, before inference, and so is
// the number of host blocks the timed training steps took from the system rather than the block
// cache (backends/reference/host_allocator.hpp; 0 once the cache is warm), on oneDNN the
// activation tensors reordered per timed training step (onednn::activation_reorders), and on CUDA
// the peak device memory held by buffers since the process started (as PyTorch's
// max_memory_allocated), the cudaMalloc calls of the timed training steps (0 once warm) and the
// device calls (kernels launched, cuDNN and cuBLAS calls) per timed training step and inference.
// --graph (CUDA) captures the first warm-up training step and inference as CUDA graphs and times
// their replays (whose device calls were made at capture, so a replay counts none).
// --backend is any built backend (tools/jhr/backend_dispatch.hpp). --threads sets the backend's
// thread count where it has one (oneDNN: its OpenMP pool); --convolution picks oneDNN's
// convolution algorithm (backends/onednn/convolution.hpp). joint_benchmark<B> is the fixture,
// shared with benchmarks/bench_network.cpp.
#pragma once

#include "backend_dispatch.hpp"
#include "layout_option.hpp"
#include "precision_option.hpp"

#include "jhr/backends/reference/host_allocator.hpp"
#include "jhr/models/joint_model.hpp"
#include "jhr/train/trainer.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace jhr::cli {

struct joint_benchmark_options {
    int batch = 16;
    bool graph = false; // a CapturedGraphs backend (CUDA) replays captured steps
    int classes = 10575;
    int height = 124, width = 108; // SRNET input: the LR face bicubic-upscaled to HR size
    std::uint64_t seed = 1;
};

// The paper's Joint Model with its optimizer and one random batch, ready to step.
template <Backend B>
class joint_benchmark {
public:
    explicit joint_benchmark(const joint_benchmark_options& o)
        : graph_(o.graph), net_(make_joint_model<B>(model_options(o))), trainer_(net_, quiet()) {
        if (o.graph && !CapturedGraphs<B>)
            throw error("bench: graphs need a backend that captures them (cuda), not " +
                        std::string(B::name));
        trainer_.start();
        rng r(o.seed);
        const int border = srnet_options{}.border();
        const shape in{o.batch, 3, o.height, o.width},
            out{o.batch, 3, o.height - 2 * border, o.width - 2 * border};
        input_ = random_tensor(in, r);
        target_ = random_tensor(out, r);
        std::vector<std::int32_t> labels(std::size_t(o.batch));
        for (auto& label : labels) label = std::int32_t(uniform_index(r, std::uint64_t(o.classes)));
        labels_.assign(labels);
    }
    joint_benchmark(const joint_benchmark&) = delete;
    joint_benchmark& operator=(const joint_benchmark&) = delete;

    // One training iteration (Algorithm 1): forward, backward, SGD step, center update. With graph,
    // the first call runs as it is and is captured, later calls replay it.
    void train() {
        run_or_replay(train_graph_, [&] {
            const targets<B> t{&target_, &labels_};
            net_.train_step(input_, t);
            trainer_.optimizer().step(1.0);
            net_.after_step(t);
        });
        B::synchronize();
    }
    // LR face to 512-d feature for the whole batch (captured and replayed likewise with graph).
    const tensor<B>& infer() {
        run_or_replay(infer_graph_, [&] { features_ = &net_.forward(input_); });
        B::synchronize();
        return *features_;
    }
    joint_model<B>& model() { return net_; }
    int batch() const { return input_.shape().n; }

private:
    template <class Work>
    void run_or_replay(replayed_work<B>& graph, Work work) {
        if (graph_)
            graph.run(work);
        else
            work();
    }

    static joint_model_options model_options(const joint_benchmark_options& o) {
        joint_model_options m;
        m.classes = o.classes;
        const int border = m.srnet.border();
        m.frnet.input_height = o.height - 2 * border;
        m.frnet.input_width = o.width - 2 * border;
        return m;
    }
    static trainer_options quiet() {
        trainer_options t;
        t.progress = nullptr;
        return t;
    }
    static tensor<B> random_tensor(const shape& s, rng& r) {
        std::vector<float> host(s.size());
        for (float& v : host) v = float(uniform01(r));
        tensor<B> t(s);
        B::upload(std::span<const float>(host), t.data());
        return t;
    }

    bool graph_;
    joint_model<B> net_;
    trainer<B, joint_model<B>> trainer_;
    tensor<B> input_, target_;
    label_tensor<B> labels_;
    const tensor<B>* features_ = nullptr; // the last inference's output
    replayed_work<B> train_graph_, infer_graph_;
};

struct bench_options {
    std::string backend = default_backend();
    int batch = 16, threads = 2, iterations = 10, warmup = 2;
    std::string convolution = "winograd", precision = "fp32", layout = "automatic";
    bool json = false, graph = false;
};

struct bench_result {
    std::vector<double> train_ms, infer_ms; // per timed iteration
    double train_median_ms = 0, infer_median_ms = 0;
    double train_images_per_second = 0, infer_images_per_second = 0;
    double peak_rss_mib = 0;                              // after the training iterations
    std::size_t host_blocks_from_system = 0;              // during the timed training iterations
    std::optional<double> activation_reorders_per_step;   // oneDNN: per timed training iteration
    std::optional<double> peak_device_mib;                // CUDA: the most device memory held by buffers
    std::optional<std::size_t> device_blocks_from_system; // CUDA: cudaMalloc calls in timed training steps
    std::optional<double> device_calls_per_step,
        device_calls_per_inference; // CUDA: kernels and library calls
};

inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n == 0 ? 0.0 : (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]));
}

template <class Function>
std::vector<double> time_ms(int warmup, int iterations, Function&& f) {
    for (int i = 0; i < warmup; ++i) f();
    std::vector<double> ms;
    for (int i = 0; i < iterations; ++i) {
        const auto begin = std::chrono::steady_clock::now();
        f();
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count());
    }
    return ms;
}

inline double peak_rss_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0; // Linux reports KiB
}

// Backends that count the activation tensors they reorder (oneDNN).
template <class B>
concept counts_activation_reorders = requires {
    B::activation_reorders();
};

// Backends with a device memory allocator that keeps statistics (CUDA).
template <class B>
concept counts_device_memory = requires {
    { B::allocator_statistics().peak_bytes_in_use } -> std::convertible_to<std::size_t>;
    { B::allocator_statistics().allocations } -> std::convertible_to<std::size_t>;
};

// Backends that count their kernel launches and library calls (CUDA).
template <class B>
concept counts_device_calls = requires {
    { B::device_calls() } -> std::convertible_to<std::uint64_t>;
};

template <Backend B>
bench_result run_bench(const bench_options& o) {
    joint_benchmark_options jo;
    jo.batch = o.batch;
    jo.graph = o.graph;
    joint_benchmark<B> bench(jo);
    bench_result r;
    const auto& blocks = backends::host_block_cache::instance();
    for (int i = 0; i < o.warmup; ++i) bench.train();
    const std::size_t warm_blocks = blocks.blocks_from_system();
    std::size_t warm_reorders = 0, warm_device_blocks = 0;
    if constexpr (counts_activation_reorders<B>) warm_reorders = B::activation_reorders();
    if constexpr (counts_device_memory<B>) warm_device_blocks = B::allocator_statistics().allocations;
    std::uint64_t calls = 0;
    if constexpr (counts_device_calls<B>) calls = B::device_calls();
    r.train_ms = time_ms(0, o.iterations, [&] { bench.train(); });
    if constexpr (counts_device_calls<B>)
        r.device_calls_per_step = double(B::device_calls() - calls) / o.iterations;
    r.host_blocks_from_system = blocks.blocks_from_system() - warm_blocks;
    if constexpr (counts_activation_reorders<B>)
        r.activation_reorders_per_step = double(B::activation_reorders() - warm_reorders) / o.iterations;
    if constexpr (counts_device_memory<B>) {
        const auto stats = B::allocator_statistics(); // the peak since the process started, as PyTorch's
        r.peak_device_mib = double(stats.peak_bytes_in_use) / double(1 << 20);
        r.device_blocks_from_system = stats.allocations - warm_device_blocks;
    }
    r.peak_rss_mib = peak_rss_mib();
    for (int i = 0; i < o.warmup; ++i) bench.infer();
    if constexpr (counts_device_calls<B>) calls = B::device_calls();
    r.infer_ms = time_ms(0, o.iterations, [&] { bench.infer(); });
    if constexpr (counts_device_calls<B>)
        r.device_calls_per_inference = double(B::device_calls() - calls) / o.iterations;
    r.train_median_ms = median(r.train_ms);
    r.infer_median_ms = median(r.infer_ms);
    r.train_images_per_second = 1e3 * o.batch / r.train_median_ms;
    r.infer_images_per_second = 1e3 * o.batch / r.infer_median_ms;
    return r;
}

inline void print_bench(const bench_options& o, const bench_result& r) {
    if (o.json) {
        nlohmann::json j{{"backend", o.backend},
                         {"precision", o.precision},
                         {"layout", o.layout},
                         {"batch", o.batch},
                         {"threads", o.threads},
                         {"iterations", o.iterations},
                         {"graph", o.graph},
                         {"train_median_ms", r.train_median_ms},
                         {"train_images_per_second", r.train_images_per_second},
                         {"infer_median_ms", r.infer_median_ms},
                         {"infer_images_per_second", r.infer_images_per_second},
                         {"peak_rss_mib", r.peak_rss_mib},
                         {"host_blocks_from_system", r.host_blocks_from_system},
                         {"train_ms", r.train_ms},
                         {"infer_ms", r.infer_ms}};
        if (r.activation_reorders_per_step)
            j["activation_reorders_per_step"] = *r.activation_reorders_per_step;
        if (r.peak_device_mib) {
            j["peak_device_mib"] = *r.peak_device_mib;
            j["device_blocks_from_system"] = *r.device_blocks_from_system;
        }
        if (r.device_calls_per_step) {
            j["device_calls_per_step"] = *r.device_calls_per_step;
            j["device_calls_per_inference"] = *r.device_calls_per_inference;
        }
        std::cout << j.dump() << "\n";
        return;
    }
    std::cout << "jhr bench: backend " << o.backend << " (" << o.precision
              << (o.layout != "automatic" ? ", " + o.layout : "") << (o.graph ? ", graphs" : "")
              << "), batch " << o.batch << ", threads " << o.threads << ", median of " << o.iterations << "\n"
              << "  training:  " << r.train_images_per_second << " images/s (" << r.train_median_ms
              << " ms/step)\n"
              << "  inference: " << r.infer_images_per_second << " images/s (" << r.infer_median_ms
              << " ms/batch)\n"
              << "  peak resident memory after training: " << r.peak_rss_mib << " MiB\n"
              << "  host blocks taken from the system in timed training steps: " << r.host_blocks_from_system
              << "\n";
    if (r.activation_reorders_per_step)
        std::cout << "  activation reorders per training step: " << *r.activation_reorders_per_step << "\n";
    if (r.peak_device_mib)
        std::cout << "  peak device memory in buffers: " << *r.peak_device_mib << " MiB\n"
                  << "  device blocks taken (cudaMalloc) in timed training steps: "
                  << *r.device_blocks_from_system << "\n";
    if (r.device_calls_per_step)
        std::cout << "  device calls (kernels, cuDNN and cuBLAS calls) per training step: "
                  << *r.device_calls_per_step << ", per inference batch: " << *r.device_calls_per_inference
                  << (o.graph ? " (graph replays: the calls recorded at capture are not counted)" : "")
                  << "\n";
}

inline void add_bench_command(CLI::App& app) {
    auto opts = std::make_shared<bench_options>();
    CLI::App* cmd = app.add_subcommand("bench", "Training and inference images/s of the paper's Joint Model");
    cmd->add_option("--backend", opts->backend, "one of: " + built_backends_list())
        ->check(CLI::IsMember(built_backends()));
    cmd->add_option("--batch", opts->batch, "images per step")->check(CLI::Range(1, 4096));
    cmd->add_option("--threads", opts->threads, "backend threads (oneDNN)")->check(CLI::Range(1, 1024));
    cmd->add_option("--iterations", opts->iterations, "timed iterations")->check(CLI::Range(1, 100000));
    cmd->add_option("--warmup", opts->warmup, "untimed iterations first")->check(CLI::Range(0, 100000));
    cmd->add_flag("--json", opts->json, "one JSON object instead of text");
    cmd->add_flag(
        "--graph", opts->graph,
        "capture the first training step and inference as CUDA graphs and time their replays (cuda)");
    cmd->add_option(
           "--convolution", opts->convolution,
           "oneDNN convolution algorithm: winograd (3x3 layers where it pays, else direct) or direct")
        ->check(CLI::IsMember({"winograd", "direct"}));
    add_precision_option(cmd, opts->precision);
    add_layout_option(cmd, opts->layout);
    cmd->callback([opts] {
        with_backend_at(opts->backend, opts->precision, [&]<Backend B>() {
            apply_layout<B>(opts->layout);
            if constexpr (requires { B::set_threads(1); }) B::set_threads(opts->threads);
#if defined(JHR_HAVE_ONEDNN)
            if constexpr (std::same_as<B, onednn>)
                onednn::algorithm() = opts->convolution == "direct"
                                          ? backends::convolution_algorithm::direct
                                          : backends::convolution_algorithm::winograd;
#endif
            print_bench(*opts, run_bench<B>(*opts));
        });
    });
}

} // namespace jhr::cli
