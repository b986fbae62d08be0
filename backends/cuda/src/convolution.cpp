// jhr/backends/cuda/convolution.hpp on cuDNN: descriptors and algorithms cached per geometry.
#include "jhr/backends/cuda/convolution.hpp"
#include "jhr/backends/cuda/precision.hpp"

#include "context.hpp"
#include "library_check.hpp"

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

namespace jhr::backends {
namespace {

using cuda_detail::this_thread;

constexpr std::size_t search_workspace_limit = std::size_t(256) << 20;
constexpr float one = 1.0f, zero = 0.0f;

auto key(const conv2d_geometry& g, jhr::precision precision) {
    return std::tuple(g.batch, g.in_channels, g.in_height, g.in_width, g.out_channels, g.kernel, g.stride,
                      g.pad, precision);
}
using plan_key = decltype(key(conv2d_geometry{}, jhr::precision::fp32));

struct tensor_descriptor {
    cudnnTensorDescriptor_t handle = nullptr;
    tensor_descriptor(int n, int c, int h, int w) {
        JHR_CUDNN_CHECK(cudnnCreateTensorDescriptor(&handle));
        try {
            JHR_CUDNN_CHECK(
                cudnnSetTensor4dDescriptor(handle, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, w));
        } catch (...) {
            cudnnDestroyTensorDescriptor(handle);
            throw;
        }
    }
    tensor_descriptor(const tensor_descriptor&) = delete;
    tensor_descriptor& operator=(const tensor_descriptor&) = delete;
    ~tensor_descriptor() { cudnnDestroyTensorDescriptor(handle); }
};

struct filter_descriptor {
    cudnnFilterDescriptor_t handle = nullptr;
    explicit filter_descriptor(const conv2d_geometry& g) {
        JHR_CUDNN_CHECK(cudnnCreateFilterDescriptor(&handle));
        try {
            JHR_CUDNN_CHECK(cudnnSetFilter4dDescriptor(handle, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW,
                                                       g.out_channels, g.in_channels, g.kernel, g.kernel));
        } catch (...) {
            cudnnDestroyFilterDescriptor(handle);
            throw;
        }
    }
    filter_descriptor(const filter_descriptor&) = delete;
    filter_descriptor& operator=(const filter_descriptor&) = delete;
    ~filter_descriptor() { cudnnDestroyFilterDescriptor(handle); }
};

// Cross-correlation (CUDNN_CROSS_CORRELATION), fp32 accumulation. `search_math` is the math type
// algorithm searches run under: FMA only for fp32, tensor cores (TF32 inputs) allowed for tf32.
struct convolution_descriptor {
    cudnnConvolutionDescriptor_t handle = nullptr;
    cudnnMathType_t search_math;
    convolution_descriptor(const conv2d_geometry& g, jhr::precision precision)
        : search_math(precision == jhr::precision::tf32 ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH) {
        JHR_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&handle));
        try {
            JHR_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(handle, g.pad, g.pad, g.stride, g.stride, 1, 1,
                                                            CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
        } catch (...) {
            cudnnDestroyConvolutionDescriptor(handle);
            throw;
        }
    }
    convolution_descriptor(const convolution_descriptor&) = delete;
    convolution_descriptor& operator=(const convolution_descriptor&) = delete;
    ~convolution_descriptor() { cudnnDestroyConvolutionDescriptor(handle); }
};

// An algorithm with the math type cuDNN timed it with (set on the descriptor before each run: its
// workspace size holds for that math type only).
template <class Algorithm>
struct choice {
    Algorithm algorithm{};
    std::size_t workspace = 0;
    cudnnMathType_t math = CUDNN_DEFAULT_MATH;
};

// The first (fastest) candidate cuDNN measured successfully; throws when none ran.
template <class Perf>
auto fastest(const std::array<Perf, 16>& results, int count, const char* direction,
             const conv2d_geometry& g) {
    for (int i = 0; i < count; ++i)
        if (results[i].status == CUDNN_STATUS_SUCCESS)
            return choice<decltype(Perf::algo)>{results[i].algo, results[i].memory, results[i].mathType};
    throw backend_error(
        where(std::string("cuda: cuDNN found no ") + direction + " algorithm for " + describe(g)));
}

// Descriptors of one geometry and precision and, once each direction has run, its chosen algorithm.
struct plan {
    tensor_descriptor x, y, bias;
    filter_descriptor w;
    convolution_descriptor convolution;
    std::optional<choice<cudnnConvolutionFwdAlgo_t>> forward;
    std::optional<choice<cudnnConvolutionBwdDataAlgo_t>> backward_data;
    std::optional<choice<cudnnConvolutionBwdFilterAlgo_t>> backward_filter;

    plan(const conv2d_geometry& g, jhr::precision precision)
        : x(g.batch, g.in_channels, g.in_height, g.in_width),
          y(g.batch, g.out_channels, g.out_height(), g.out_width()), bias(1, g.out_channels, 1, 1), w(g),
          convolution(g, precision) {}
};

void check(const conv2d_geometry& g) {
    if (g.batch < 0 || g.in_channels < 1 || g.out_channels < 1 || g.kernel < 1 || g.stride < 1 || g.pad < 0 ||
        g.in_height + 2 * g.pad < g.kernel || g.in_width + 2 * g.pad < g.kernel)
        throw backend_error(where("cuda conv2d: impossible geometry, " + describe(g)));
}

// The calling thread's plan for g at the current precision (the handles belong to the thread, so
// do the plans).
plan& plan_for(const conv2d_geometry& g) {
    thread_local std::map<plan_key, std::unique_ptr<plan>> plans;
    const jhr::precision precision = cuda_precision_control::precision();
    auto& entry = plans[key(g, precision)];
    if (!entry) entry = std::make_unique<plan>(g, precision);
    return *entry;
}

// Sets the precision's search math type on p and returns the scratch for cuDNN to time its
// candidates in: the thread's workspace, grown to the search limit once, which every chosen
// algorithm's workspace then fits.
void* begin_search(const plan& p) {
    JHR_CUDNN_CHECK(cudnnSetConvolutionMathType(p.convolution.handle, p.convolution.search_math));
    return this_thread().workspace(search_workspace_limit);
}

// Sets the math type the chosen algorithm was timed with.
template <class Algorithm>
void use_math(const plan& p, const choice<Algorithm>& c) {
    JHR_CUDNN_CHECK(cudnnSetConvolutionMathType(p.convolution.handle, c.math));
}

} // namespace

void cuda_convolution::conv2d_forward(const conv2d_geometry& g, const float* x, const float* w,
                                      const float* b, float* y) {
    expect_nchw(g, "cuda", "conv2d_forward");
    check(g);
    if (g.output().size() == 0) return;
    plan& p = plan_for(g);
    const cudnnHandle_t handle = this_thread().cudnn();
    if (!p.forward) {
        std::array<cudnnConvolutionFwdAlgoPerf_t, 16> results{};
        int count = 0;
        void* scratch = begin_search(p);
        JHR_CUDNN_CHECK(cudnnFindConvolutionForwardAlgorithmEx(
            handle, p.x.handle, x, p.w.handle, w, p.convolution.handle, p.y.handle, y, int(results.size()),
            &count, results.data(), scratch, search_workspace_limit));
        p.forward = fastest(results, count, "forward", g);
    }
    use_math(p, *p.forward);
    void* workspace = this_thread().workspace(p.forward->workspace);
    JHR_CUDNN_CHECK(cudnnConvolutionForward(handle, &one, p.x.handle, x, p.w.handle, w, p.convolution.handle,
                                            p.forward->algorithm, workspace, p.forward->workspace, &zero,
                                            p.y.handle, y));
    if (b) JHR_CUDNN_CHECK(cudnnAddTensor(handle, &one, p.bias.handle, b, &one, p.y.handle, y));
}

void cuda_convolution::conv2d_backward_data(const conv2d_geometry& g, const float* w, const float* dy,
                                            float* dx) {
    expect_nchw(g, "cuda", "conv2d_backward_data");
    check(g);
    if (g.input().size() == 0) return;
    plan& p = plan_for(g);
    const cudnnHandle_t handle = this_thread().cudnn();
    if (!p.backward_data) {
        std::array<cudnnConvolutionBwdDataAlgoPerf_t, 16> results{};
        int count = 0;
        void* scratch = begin_search(p);
        JHR_CUDNN_CHECK(cudnnFindConvolutionBackwardDataAlgorithmEx(
            handle, p.w.handle, w, p.y.handle, dy, p.convolution.handle, p.x.handle, dx, int(results.size()),
            &count, results.data(), scratch, search_workspace_limit));
        p.backward_data = fastest(results, count, "backward-data", g);
    }
    use_math(p, *p.backward_data);
    void* workspace = this_thread().workspace(p.backward_data->workspace);
    JHR_CUDNN_CHECK(cudnnConvolutionBackwardData(handle, &one, p.w.handle, w, p.y.handle, dy,
                                                 p.convolution.handle, p.backward_data->algorithm, workspace,
                                                 p.backward_data->workspace, &zero, p.x.handle, dx));
}

void cuda_convolution::conv2d_backward_weights(const conv2d_geometry& g, const float* x, const float* dy,
                                               float* dw, float* db) {
    expect_nchw(g, "cuda", "conv2d_backward_weights");
    check(g);
    if (g.weight().size() == 0) return;
    if (g.output().size() == 0) { // an empty batch: zero gradients, as the reference writes
        JHR_CUDA_CHECK(cudaMemset(dw, 0, g.weight().size() * sizeof(float)));
        if (db) JHR_CUDA_CHECK(cudaMemset(db, 0, std::size_t(g.out_channels) * sizeof(float)));
        return;
    }
    plan& p = plan_for(g);
    const cudnnHandle_t handle = this_thread().cudnn();
    if (!p.backward_filter) {
        std::array<cudnnConvolutionBwdFilterAlgoPerf_t, 16> results{};
        int count = 0;
        void* scratch = begin_search(p);
        JHR_CUDNN_CHECK(cudnnFindConvolutionBackwardFilterAlgorithmEx(
            handle, p.x.handle, x, p.y.handle, dy, p.convolution.handle, p.w.handle, dw, int(results.size()),
            &count, results.data(), scratch, search_workspace_limit));
        p.backward_filter = fastest(results, count, "backward-filter", g);
    }
    use_math(p, *p.backward_filter);
    void* workspace = this_thread().workspace(p.backward_filter->workspace);
    JHR_CUDNN_CHECK(cudnnConvolutionBackwardFilter(
        handle, &one, p.x.handle, x, p.y.handle, dy, p.convolution.handle, p.backward_filter->algorithm,
        workspace, p.backward_filter->workspace, &zero, p.w.handle, dw));
    if (db)
        JHR_CUDNN_CHECK(cudnnConvolutionBackwardBias(handle, &one, p.y.handle, dy, &zero, p.bias.handle, db));
}

} // namespace jhr::backends
