// jhr/backends/cuda/convolution.hpp on cuDNN: descriptors and algorithms cached per geometry.
#include "jhr/backends/cuda/convolution.hpp"
#include "jhr/backends/cuda/precision.hpp"

#include "jhr/backends/cuda/dense.hpp"
#include "jhr/backends/cuda/layout.hpp"

#include "bfloat16.hpp"
#include "capture.hpp"
#include "channels.hpp"
#include "context.hpp"
#include "device_calls.hpp"
#include "library_check.hpp"
#include "placement.hpp"

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

namespace jhr::backends {
namespace {

using cuda_detail::bfloat16_bits;
using cuda_detail::elements;
using cuda_detail::this_thread;

constexpr std::size_t search_workspace_limit = std::size_t(256) << 20;
constexpr float one = 1.0f, zero = 0.0f;

// cuDNN reads and writes one layout per convolution, its output's (g.dst_layout): an input in
// the other layout is converted first, an input gradient after.
auto key(const conv2d_geometry& g, jhr::precision precision, bool deterministic) {
    return std::tuple(g.batch, g.in_channels, g.in_height, g.in_width, g.out_channels, g.kernel, g.stride,
                      g.pad, g.dst_layout, precision, deterministic);
}
using plan_key = decltype(key(conv2d_geometry{}, jhr::precision::fp32, false));

// What cuDNN reads and writes at a precision: bfloat16 in nhwc (krsc filters, the layout of its
// tensor-core kernels) at bf16, fp32 in the convolution's layout otherwise (krsc filters with nhwc).
cudnnDataType_t data_type(jhr::precision precision) {
    return precision == jhr::precision::bf16 ? CUDNN_DATA_BFLOAT16 : CUDNN_DATA_FLOAT;
}
cudnnTensorFormat_t format(jhr::precision precision, jhr::layout l) {
    return precision == jhr::precision::bf16 || l == jhr::layout::nhwc ? CUDNN_TENSOR_NHWC
                                                                       : CUDNN_TENSOR_NCHW;
}

struct tensor_descriptor {
    cudnnTensorDescriptor_t handle = nullptr;
    tensor_descriptor(int n, int c, int h, int w, cudnnDataType_t type = CUDNN_DATA_FLOAT,
                      cudnnTensorFormat_t format = CUDNN_TENSOR_NCHW) {
        JHR_CUDNN_CHECK(cudnnCreateTensorDescriptor(&handle));
        try {
            JHR_CUDNN_CHECK(cudnnSetTensor4dDescriptor(handle, format, type, n, c, h, w));
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
    filter_descriptor(const conv2d_geometry& g, cudnnDataType_t type, cudnnTensorFormat_t format) {
        JHR_CUDNN_CHECK(cudnnCreateFilterDescriptor(&handle));
        try {
            JHR_CUDNN_CHECK(cudnnSetFilter4dDescriptor(handle, type, format, g.out_channels, g.in_channels,
                                                       g.kernel, g.kernel));
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
// algorithm searches run under: FMA only for fp32, tensor cores allowed for tf32 (TF32 inputs) and
// bf16 (bfloat16 inputs and outputs, cuDNN's PSEUDO_BFLOAT16 configuration).
struct convolution_descriptor {
    cudnnConvolutionDescriptor_t handle = nullptr;
    cudnnMathType_t search_math;
    convolution_descriptor(const conv2d_geometry& g, jhr::precision precision)
        : search_math(precision == jhr::precision::fp32 ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH) {
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

// The first candidate (the fastest measured, or the heuristics' first) that succeeded, is
// deterministic when asked to be, and needs no more workspace than a search may use; throws when
// there is none.
template <class Perf>
auto first_usable(const std::array<Perf, 16>& results, int count, bool deterministic, const char* direction,
                  const conv2d_geometry& g) {
    for (int i = 0; i < count; ++i)
        if (results[i].status == CUDNN_STATUS_SUCCESS && results[i].memory <= search_workspace_limit &&
            (!deterministic || results[i].determinism == CUDNN_DETERMINISTIC))
            return choice<decltype(Perf::algo)>{results[i].algo, results[i].memory, results[i].mathType};
    throw backend_error(where(std::string("cuda: cuDNN found no ") + (deterministic ? "deterministic " : "") +
                              direction + " algorithm for " + describe(g)));
}

// Descriptors of one geometry and precision and, once each direction has run, its chosen algorithm.
// x, y and w describe what the convolution reads and writes (bfloat16 nhwc at bf16); y_fp32 and bias
// the fp32 nchw output and bias cuDNN's bias calls work on (nhwc outputs use the backend's kernels).
struct plan {
    bool bfloat16, deterministic;
    tensor_descriptor x, y, y_fp32, bias;
    filter_descriptor w;
    convolution_descriptor convolution;
    std::optional<choice<cudnnConvolutionFwdAlgo_t>> forward;
    std::optional<choice<cudnnConvolutionBwdDataAlgo_t>> backward_data;
    std::optional<choice<cudnnConvolutionBwdFilterAlgo_t>> backward_filter;

    plan(const conv2d_geometry& g, jhr::precision precision, bool deterministic)
        : bfloat16(precision == jhr::precision::bf16), deterministic(deterministic),
          x(g.batch, g.in_channels, g.in_height, g.in_width, data_type(precision),
            format(precision, g.dst_layout)),
          y(g.batch, g.out_channels, g.out_height(), g.out_width(), data_type(precision),
            format(precision, g.dst_layout)),
          y_fp32(g.batch, g.out_channels, g.out_height(), g.out_width()), bias(1, g.out_channels, 1, 1),
          w(g, data_type(precision), format(precision, g.dst_layout)), convolution(g, precision) {}
};

void check(const conv2d_geometry& g) {
    if (g.batch < 0 || g.in_channels < 1 || g.out_channels < 1 || g.kernel < 1 || g.stride < 1 || g.pad < 0 ||
        g.in_height + 2 * g.pad < g.kernel || g.in_width + 2 * g.pad < g.kernel)
        throw backend_error(where("cuda conv2d: impossible geometry, " + describe(g)));
}

// The calling thread's plan for g at the current precision and determinism (the handles belong to
// the thread, so do the plans).
plan& plan_for(const conv2d_geometry& g) {
    thread_local std::map<plan_key, std::unique_ptr<plan>> plans;
    const jhr::precision precision = cuda_precision_control::precision();
    const bool deterministic = cuda_convolution::deterministic();
    auto& entry = plans[key(g, precision, deterministic)];
    if (!entry) entry = std::make_unique<plan>(g, precision, deterministic);
    return *entry;
}

// The algorithm of one direction of p in `slot`, chosen at the direction's first call, under the
// precision's search math type, from the candidates heuristics(n, &count, results) (a deterministic
// plan) or find(n, &count, results, scratch) (timing) writes. The scratch cuDNN times candidates
// in is the thread's workspace, grown to the search limit once, which every chosen algorithm's
// workspace then fits. The chosen math type is set on the descriptor (the one cuDNN timed or rated
// it with: its workspace size holds for that math type only).
template <class Perf, class Heuristics, class Find>
const choice<decltype(Perf::algo)>& chosen(std::optional<choice<decltype(Perf::algo)>>& slot, const plan& p,
                                           const char* direction, const conv2d_geometry& g,
                                           Heuristics heuristics, Find find) {
    if (!slot) {
        if (cuda_detail::capture())
            throw backend_error(where(std::string("cuda: the first ") + direction + " convolution of " +
                                      describe(g) +
                                      " in a CUDA graph capture: run the work once before capturing it, so "
                                      "that its algorithms are chosen"));
        std::array<Perf, 16> results{};
        int count = 0;
        JHR_CUDNN_CHECK(cudnnSetConvolutionMathType(p.convolution.handle, p.convolution.search_math));
        if (p.deterministic)
            heuristics(int(results.size()), &count, results.data());
        else
            find(int(results.size()), &count, results.data(),
                 this_thread().workspace(search_workspace_limit));
        slot = first_usable(results, count, p.deterministic, direction, g);
    }
    JHR_CUDNN_CHECK(cudnnSetConvolutionMathType(p.convolution.handle, slot->math));
    return *slot;
}

// The three directions on operands of the plan's data type (fp32, or bfloat16 copies at bf16).
void forward(plan& p, const conv2d_geometry& g, const void* x, const void* w, void* y) {
    const cudnnHandle_t handle = this_thread().cudnn();
    const auto& c = chosen<cudnnConvolutionFwdAlgoPerf_t>(
        p.forward, p, "forward", g,
        [&](int n, int* count, cudnnConvolutionFwdAlgoPerf_t* results) {
            JHR_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(
                handle, p.x.handle, p.w.handle, p.convolution.handle, p.y.handle, n, count, results));
        },
        [&](int n, int* count, cudnnConvolutionFwdAlgoPerf_t* results, void* scratch) {
            JHR_CUDNN_CHECK(cudnnFindConvolutionForwardAlgorithmEx(
                handle, p.x.handle, x, p.w.handle, w, p.convolution.handle, p.y.handle, y, n, count, results,
                scratch, search_workspace_limit));
        });
    void* workspace = this_thread().workspace(c.workspace);
    cuda_detail::count_device_call();
    JHR_CUDNN_CHECK(cudnnConvolutionForward(handle, &one, p.x.handle, x, p.w.handle, w, p.convolution.handle,
                                            c.algorithm, workspace, c.workspace, &zero, p.y.handle, y));
}

void backward_data(plan& p, const conv2d_geometry& g, const void* w, const void* dy, void* dx) {
    const cudnnHandle_t handle = this_thread().cudnn();
    const auto& c = chosen<cudnnConvolutionBwdDataAlgoPerf_t>(
        p.backward_data, p, "backward-data", g,
        [&](int n, int* count, cudnnConvolutionBwdDataAlgoPerf_t* results) {
            JHR_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(
                handle, p.w.handle, p.y.handle, p.convolution.handle, p.x.handle, n, count, results));
        },
        [&](int n, int* count, cudnnConvolutionBwdDataAlgoPerf_t* results, void* scratch) {
            JHR_CUDNN_CHECK(cudnnFindConvolutionBackwardDataAlgorithmEx(
                handle, p.w.handle, w, p.y.handle, dy, p.convolution.handle, p.x.handle, dx, n, count,
                results, scratch, search_workspace_limit));
        });
    void* workspace = this_thread().workspace(c.workspace);
    cuda_detail::count_device_call();
    JHR_CUDNN_CHECK(cudnnConvolutionBackwardData(handle, &one, p.w.handle, w, p.y.handle, dy,
                                                 p.convolution.handle, c.algorithm, workspace, c.workspace,
                                                 &zero, p.x.handle, dx));
}

void backward_filter(plan& p, const conv2d_geometry& g, const void* x, const void* dy, void* dw) {
    const cudnnHandle_t handle = this_thread().cudnn();
    const auto& c = chosen<cudnnConvolutionBwdFilterAlgoPerf_t>(
        p.backward_filter, p, "backward-filter", g,
        [&](int n, int* count, cudnnConvolutionBwdFilterAlgoPerf_t* results) {
            JHR_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(
                handle, p.x.handle, p.y.handle, p.convolution.handle, p.w.handle, n, count, results));
        },
        [&](int n, int* count, cudnnConvolutionBwdFilterAlgoPerf_t* results, void* scratch) {
            JHR_CUDNN_CHECK(cudnnFindConvolutionBackwardFilterAlgorithmEx(
                handle, p.x.handle, x, p.y.handle, dy, p.convolution.handle, p.w.handle, dw, n, count,
                results, scratch, search_workspace_limit));
        });
    void* workspace = this_thread().workspace(c.workspace);
    cuda_detail::count_device_call();
    JHR_CUDNN_CHECK(cudnnConvolutionBackwardFilter(handle, &one, p.x.handle, x, p.y.handle, dy,
                                                   p.convolution.handle, c.algorithm, workspace, c.workspace,
                                                   &zero, p.w.handle, dw));
}

// The shape of an nchw tensor (or a kcrs filter) as `batch` matrices of channels x pixels; transposed,
// nhwc (krsc).
struct planes {
    std::size_t batch, channels, pixels;
    std::size_t size() const { return batch * channels * pixels; }
};
planes input(const conv2d_geometry& g) {
    return {std::size_t(g.batch), std::size_t(g.in_channels),
            std::size_t(g.in_height) * std::size_t(g.in_width)};
}
planes output(const conv2d_geometry& g) {
    return {std::size_t(g.batch), std::size_t(g.out_channels),
            std::size_t(g.out_height()) * std::size_t(g.out_width())};
}
planes weights(const conv2d_geometry& g) {
    return {std::size_t(g.out_channels), std::size_t(g.in_channels),
            std::size_t(g.kernel) * std::size_t(g.kernel)};
}

// s as the [batch, channels, pixels, 1] shape the layout helpers take.
shape as_shape(planes s) {
    return {int(s.batch), int(s.channels), int(s.pixels), 1};
}
// Whether layouts a and b of s put its elements in the same places.
bool same_placement(planes s, jhr::layout a, jhr::layout b) {
    return cuda_detail::same_placement(as_shape(s), a, b);
}

// x (of shape s) stored in layout `from` copied into y in layout `to`.
void convert(planes s, jhr::layout from, const float* x, jhr::layout to, float* y) {
    cuda_layouts::relayout(as_shape(s), from, x, to, y);
}

// a (of shape s, in layout `from`) as cuDNN reads it in layout `to`: a itself, or its copy in scratch.
const float* as_read(const float* a, planes s, jhr::layout from, jhr::layout to,
                     cuda_buffer<float>& scratch) {
    if (same_placement(s, from, to)) return a;
    scratch = cuda_buffer<float>(s.size());
    convert(s, from, a, to, scratch.data());
    return scratch.data();
}

// Where cuDNN writes a result of shape s meant for `out` in layout `to` when it writes layout `from`:
// out itself, or scratch (then finish() converts it into out).
struct written {
    planes s;
    jhr::layout from, to;
    float* out;
    cuda_buffer<float> scratch{};
    float* target() {
        if (same_placement(s, from, to)) return out;
        scratch = cuda_buffer<float>(s.size());
        return scratch.data();
    }
    void finish() {
        if (!same_placement(s, from, to)) convert(s, from, scratch.data(), to, out);
    }
};

// A bf16 convolution's operand: bfloat16 nhwc (krsc), the tensor itself when it is stored so, else
// a rounded copy.
struct bfloat16_operand {
    cuda_buffer<bfloat16_bits> copy;
    const bfloat16_bits* data;
};

// a (of shape s, in layout l) as a bf16 convolution reads it: itself in nhwc_bf16, else rounded
// element-wise from nhwc, transposed from nchw (kcrs).
bfloat16_operand as_bfloat16(const float* a, planes s, jhr::layout l) {
    if (same_placement(s, l, jhr::layout::nhwc_bf16)) return {{}, elements<bfloat16_bits>(a)};
    bfloat16_operand operand{same_placement(s, l, jhr::layout::nhwc)
                                 ? cuda_detail::bfloat16_copy(1, 1, s.size(), a)
                                 : cuda_detail::bfloat16_copy(s.batch, s.channels, s.pixels, a),
                             nullptr};
    operand.data = operand.copy.data();
    return operand;
}

// Runs direction(p, g, a16, b16, out16) into a bfloat16 nhwc result for out (of shape out_shape, in
// layout out_layout), plus the per-channel bias when not null: written into out in nhwc_bf16 (the
// bias added and rounded), else widened into it.
template <class Direction>
void on_bfloat16(Direction direction, plan& p, const conv2d_geometry& g, const bfloat16_operand& a,
                 const bfloat16_operand& b, float* out, planes out_shape, jhr::layout out_layout,
                 const float* bias = nullptr) {
    if (same_placement(out_shape, out_layout, jhr::layout::nhwc_bf16)) {
        bfloat16_bits* out16 = elements<bfloat16_bits>(out);
        direction(p, g, a.data, b.data, out16);
        if (bias)
            cuda_detail::add_bias_bfloat16(out_shape.batch * out_shape.pixels, out_shape.channels, bias,
                                           out16);
        return;
    }
    cuda_buffer<bfloat16_bits> out16(out_shape.size());
    direction(p, g, a.data, b.data, out16.data());
    if (same_placement(out_shape, out_layout, jhr::layout::nhwc))
        cuda_detail::widen_from_bfloat16(out_shape.batch * out_shape.pixels, 1, out_shape.channels,
                                         out16.data(), bias, out);
    else
        cuda_detail::widen_from_bfloat16(out_shape.batch, out_shape.pixels, out_shape.channels, out16.data(),
                                         bias, out);
}

// The bias gradient, summed over dy as stored (fp32, or nhwc_bf16) in g's output layout.
void bias_gradient(const plan& p, const conv2d_geometry& g, const float* dy, float* db) {
    const planes s = output(g);
    const std::size_t rows = s.batch * s.pixels;
    if (bfloat16_elements(g.dst_layout))
        return cuda_detail::channel_sums(rows, g.out_channels, elements<bfloat16_bits>(dy), db);
    if (!same_placement(s, g.dst_layout, jhr::layout::nchw))
        return cuda_detail::channel_sums(rows, g.out_channels, dy, db);
    cuda_detail::count_device_call();
    JHR_CUDNN_CHECK(cudnnConvolutionBackwardBias(this_thread().cudnn(), &one, p.y_fp32.handle, dy, &zero,
                                                 p.bias.handle, db));
}

void expect_supported(const conv2d_geometry& g, const char* function) {
    cuda_detail::expect_convolution_layouts(g, cuda_precision_control::precision(), function);
}

// The layout the fp32 and tf32 convolutions of g work in (g's output layout; kcrs filters with
// nchw, krsc with nhwc).
jhr::layout filter_layout(const conv2d_geometry& g) {
    return g.dst_layout;
}

} // namespace

// At bf16 each direction reads its inputs in bfloat16 nhwc (nhwc_bf16 tensors themselves, rounded
// copies of the others) and writes a bfloat16 nhwc result: into an nhwc_bf16 output itself, else
// widened into the fp32 output in its layout (the forward adds the bias in the same pass).
void cuda_convolution::conv2d_forward(const conv2d_geometry& g, const float* x, const float* w,
                                      const float* b, float* y) {
    expect_supported(g, "conv2d_forward");
    check(g);
    if (g.output().size() == 0) return;
    plan& p = plan_for(g);
    if (p.bfloat16)
        return on_bfloat16(forward, p, g, as_bfloat16(x, input(g), g.src_layout),
                           as_bfloat16(w, weights(g), jhr::layout::nchw), y, output(g), g.dst_layout, b);
    cuda_buffer<float> x_scratch, w_scratch;
    forward(p, g, as_read(x, input(g), g.src_layout, g.dst_layout, x_scratch),
            as_read(w, weights(g), jhr::layout::nchw, filter_layout(g), w_scratch), y);
    if (!b) return;
    if (!same_placement(output(g), g.dst_layout, jhr::layout::nchw))
        return cuda_dense::add_row_vector(output(g).batch * output(g).pixels, output(g).channels, b, y);
    cuda_detail::count_device_call();
    JHR_CUDNN_CHECK(cudnnAddTensor(this_thread().cudnn(), &one, p.bias.handle, b, &one, p.y_fp32.handle, y));
}

void cuda_convolution::conv2d_backward_data(const conv2d_geometry& g, const float* w, const float* dy,
                                            float* dx) {
    expect_supported(g, "conv2d_backward_data");
    check(g);
    if (g.input().size() == 0) return;
    plan& p = plan_for(g);
    if (p.bfloat16)
        return on_bfloat16(backward_data, p, g, as_bfloat16(w, weights(g), jhr::layout::nchw),
                           as_bfloat16(dy, output(g), g.dst_layout), dx, input(g), g.src_layout);
    cuda_buffer<float> w_scratch;
    written out{input(g), g.dst_layout, g.src_layout, dx};
    backward_data(p, g, as_read(w, weights(g), jhr::layout::nchw, filter_layout(g), w_scratch), dy,
                  out.target());
    out.finish();
}

void cuda_convolution::conv2d_backward_weights(const conv2d_geometry& g, const float* x, const float* dy,
                                               float* dw, float* db) {
    expect_supported(g, "conv2d_backward_weights");
    check(g);
    if (g.weight().size() == 0) return;
    if (g.output().size() == 0) { // an empty batch: zero gradients, as the reference writes
        JHR_CUDA_CHECK(cudaMemsetAsync(dw, 0, g.weight().size() * sizeof(float), cuda_detail::stream()));
        if (db)
            JHR_CUDA_CHECK(
                cudaMemsetAsync(db, 0, std::size_t(g.out_channels) * sizeof(float), cuda_detail::stream()));
        return;
    }
    plan& p = plan_for(g);
    if (p.bfloat16) {
        on_bfloat16(backward_filter, p, g, as_bfloat16(x, input(g), g.src_layout),
                    as_bfloat16(dy, output(g), g.dst_layout), dw, weights(g), jhr::layout::nchw);
    } else {
        cuda_buffer<float> x_scratch;
        written out{weights(g), filter_layout(g), jhr::layout::nchw, dw};
        backward_filter(p, g, as_read(x, input(g), g.src_layout, g.dst_layout, x_scratch), dy, out.target());
        out.finish();
    }
    if (db) bias_gradient(p, g, dy, db);
}

// Only bf16 has work to share (one rounding of dy); elsewhere, and for empty tensors, the two calls.
void cuda_convolution::conv2d_backward(const conv2d_geometry& g, const float* x, const float* w,
                                       const float* dy, float* dx, float* dw, float* db) {
    expect_supported(g, "conv2d_backward");
    check(g);
    if (cuda_precision_control::precision() != jhr::precision::bf16 || !dx || g.input().size() == 0 ||
        g.weight().size() == 0 || g.output().size() == 0) {
        conv2d_backward_weights(g, x, dy, dw, db);
        if (dx) conv2d_backward_data(g, w, dy, dx);
        return;
    }
    plan& p = plan_for(g);
    const bfloat16_operand dy16 = as_bfloat16(dy, output(g), g.dst_layout);
    on_bfloat16(backward_filter, p, g, as_bfloat16(x, input(g), g.src_layout), dy16, dw, weights(g),
                jhr::layout::nchw);
    if (db) bias_gradient(p, g, dy, db);
    on_bfloat16(backward_data, p, g, as_bfloat16(w, weights(g), jhr::layout::nchw), dy16, dx, input(g),
                g.src_layout);
}

} // namespace jhr::backends
