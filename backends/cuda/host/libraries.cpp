// Stand-ins for cuDNN and cuBLAS when the whole CUDA backend is built for host execution
// (JHR_WITH_CUDA=HOST): the convolutions of jhr/backends/cuda/convolution.hpp and the GEMM of
// dense.hpp are the reference backend's, on the host memory that is device memory there, in fp32
// (nhwc and nhwc_bf16 tensors converted to and from nchw around them); at bf16 the convolutions round
// what cuDNN would read and write to bfloat16. They let the typed suites and the jhr command line run
// the backend's own code on machines without a GPU; they test nothing of cuDNN or cuBLAS. Each counts
// the cuDNN and cuBLAS calls the GPU code makes and the layout and bfloat16 conversions it launches
// around them (device_calls.hpp). They run on the thread's stream, so a graph capture records them
// (capture.hpp).
#include "jhr/backends/cuda/convolution.hpp"
#include "jhr/backends/cuda/dense.hpp"
#include "jhr/backends/cuda/precision.hpp"
#include "jhr/backends/reference.hpp"

#include <vector>

#include "../src/bfloat16.hpp"
#include "../src/capture.hpp"
#include "../src/device_calls.hpp"
#include "../src/placement.hpp"

namespace jhr::backends {
namespace {

using cuda_detail::relayout_on_host;
using cuda_detail::same_placement;

// Runs work when the thread's stream reaches it (after the copies queued before it, as a library call
// on the GPU runs after the work queued before it), or records it into the graph being captured.
void on_stream(std::function<void()> work) {
    cuda_host::enqueue(cuda_detail::stream(), std::move(work));
}

// Counts `calls` device calls: the convolution or GEMM, plus the bias call where there is one.
void count(int calls) {
    for (int i = 0; i < calls; ++i) cuda_detail::count_device_call();
}

// Whether a convolution called now runs at bf16 (read at the call, as the GPU code picks its plan).
bool at_bf16() {
    return cuda_precision_control::precision() == jhr::precision::bf16;
}

// t[0, n) rounded to bfloat16 and widened back into out (which may be t), on the host: what the CUDA
// convolutions' conversion kernels compute (tested on their own), without launching kernels the GPU
// code would not launch.
void round_trip(std::size_t n, const float* t, float* out) {
    for (std::size_t i = 0; i < n; ++i) out[i] = cuda_detail::from_bfloat16(cuda_detail::to_bfloat16(t[i]));
}

// x[0, n) as a bf16 convolution reads it: rounded, in a new buffer.
std::vector<float> rounded(std::size_t n, const float* x) {
    std::vector<float> out(n);
    round_trip(n, x, out.data());
    return out;
}

// The same geometry on nchw tensors, as the reference takes them.
conv2d_geometry plain(conv2d_geometry g) {
    g.src_layout = g.dst_layout = jhr::layout::nchw;
    return g;
}

// x (of shape s, in layout l) in nchw: x itself, or its copy in scratch.
const float* as_nchw(const shape& s, jhr::layout l, const float* x, std::vector<float>& scratch) {
    if (same_placement(s, l, jhr::layout::nchw)) return x;
    scratch.resize(s.size());
    relayout_on_host(s, l, x, jhr::layout::nchw, scratch.data());
    return scratch.data();
}

// The conversions the GPU code launches around an fp32 or tf32 convolution in g's layout (cuDNN
// works in g.dst_layout, with krsc filters for nhwc): x or dx when its layout differs, the filter
// (or its gradient) when krsc differs from kcrs.
int conversions(const conv2d_geometry& g) {
    const int filter = same_placement(g.weight(), jhr::layout::nchw, g.dst_layout) ? 0 : 1;
    const int input = same_placement(g.input(), g.src_layout, g.dst_layout) ? 0 : 1;
    return filter + input;
}

// The calls of a bias gradient: cuDNN's one for nchw, the backend's two kernels for nhwc (either encoding).
int bias_gradient_calls(const conv2d_geometry& g) {
    return same_placement(g.output(), g.dst_layout, jhr::layout::nchw) ? 1 : 2;
}

// At bf16, the conversion the GPU code launches for an operand or result of shape s stored in layout
// l: none when it is nhwc_bf16 (cuDNN reads and writes it as it is), else a rounded copy or a widening.
int conversion(const shape& s, jhr::layout l) {
    return same_placement(s, l, jhr::layout::nhwc_bf16) ? 0 : 1;
}

// The device calls of each direction as the GPU code makes them: the cuDNN call, the conversions
// around it and the bias calls. At bf16 the filter is always rounded, the weight gradient widened, and
// a bias is added by the widening, or by a kernel of its own into an nhwc_bf16 output.
int forward_calls(const conv2d_geometry& g, bool bias) {
    if (!at_bf16()) return (bias ? 2 : 1) + conversions(g);
    const int output = bfloat16_elements(g.dst_layout) ? (bias ? 1 : 0) : 1;
    return conversion(g.input(), g.src_layout) + 2 + output;
}
int backward_data_calls(const conv2d_geometry& g, bool dy_rounded) {
    if (!at_bf16()) return 1 + conversions(g);
    return 2 + (dy_rounded ? 0 : conversion(g.output(), g.dst_layout)) + conversion(g.input(), g.src_layout);
}
int backward_weights_calls(const conv2d_geometry& g, bool bias) {
    const int bias_calls = bias ? bias_gradient_calls(g) : 0;
    if (!at_bf16()) return 1 + bias_calls + conversions(g);
    return conversion(g.input(), g.src_layout) + conversion(g.output(), g.dst_layout) + 2 + bias_calls;
}

// The GPU code's check of g's layouts at the current precision.
void expect_layouts(const conv2d_geometry& g, const char* function) {
    cuda_detail::expect_convolution_layouts(g, cuda_precision_control::precision(), function);
}

} // namespace

void cuda_convolution::conv2d_forward(const conv2d_geometry& g, const float* x, const float* w,
                                      const float* b, float* y) {
    expect_layouts(g, "conv2d_forward");
    if (g.output().size() > 0) count(forward_calls(g, b != nullptr));
    on_stream([g, x, w, b, y, bf16 = at_bf16()] {
        std::vector<float> x_scratch, y_nchw(g.output().size());
        const float* x_nchw = as_nchw(g.input(), g.src_layout, x, x_scratch);
        if (!bf16) {
            jhr::reference::conv2d_forward(plain(g), x_nchw, w, b, y_nchw.data());
        } else {
            jhr::reference::conv2d_forward(plain(g), rounded(g.input().size(), x_nchw).data(),
                                           rounded(g.weight().size(), w).data(), nullptr, y_nchw.data());
            round_trip(g.output().size(), y_nchw.data(), y_nchw.data());
            const std::size_t plane = std::size_t(g.out_height()) * std::size_t(g.out_width());
            if (b)
                for (std::size_t i = 0; i < g.output().size(); ++i)
                    y_nchw[i] += b[i / plane % std::size_t(g.out_channels)];
        }
        relayout_on_host(g.output(), jhr::layout::nchw, y_nchw.data(), g.dst_layout, y);
    });
}

namespace {

// The two backward directions' work, enqueued without counting it.
void enqueue_backward_data(const conv2d_geometry& g, const float* w, const float* dy, float* dx) {
    on_stream([g, w, dy, dx, bf16 = at_bf16()] {
        std::vector<float> dy_scratch, dx_nchw(g.input().size());
        const float* dy_nchw = as_nchw(g.output(), g.dst_layout, dy, dy_scratch);
        if (!bf16) {
            jhr::reference::conv2d_backward_data(plain(g), w, dy_nchw, dx_nchw.data());
        } else {
            jhr::reference::conv2d_backward_data(plain(g), rounded(g.weight().size(), w).data(),
                                                 rounded(g.output().size(), dy_nchw).data(), dx_nchw.data());
            round_trip(g.input().size(), dx_nchw.data(), dx_nchw.data());
        }
        relayout_on_host(g.input(), jhr::layout::nchw, dx_nchw.data(), g.src_layout, dx);
    });
}

// At bf16 the bias gradient, like the GPU code's, sums the output gradient as stored.
void enqueue_backward_weights(const conv2d_geometry& g, const float* x, const float* dy, float* dw,
                              float* db) {
    on_stream([g, x, dy, dw, db, bf16 = at_bf16()] {
        std::vector<float> x_scratch, dy_scratch;
        const float* x_nchw = as_nchw(g.input(), g.src_layout, x, x_scratch);
        const float* dy_nchw = as_nchw(g.output(), g.dst_layout, dy, dy_scratch);
        if (!bf16) return jhr::reference::conv2d_backward_weights(plain(g), x_nchw, dy_nchw, dw, db);
        jhr::reference::conv2d_backward_weights(plain(g), rounded(g.input().size(), x_nchw).data(),
                                                rounded(g.output().size(), dy_nchw).data(), dw, nullptr);
        round_trip(g.weight().size(), dw, dw);
        if (!db) return;
        const std::size_t plane = std::size_t(g.out_height()) * std::size_t(g.out_width());
        for (int c = 0; c < g.out_channels; ++c) {
            double sum = 0.0;
            for (int n = 0; n < g.batch; ++n) {
                const float* row =
                    dy_nchw + (std::size_t(n) * std::size_t(g.out_channels) + std::size_t(c)) * plane;
                for (std::size_t i = 0; i < plane; ++i) sum += row[i];
            }
            db[c] = float(sum);
        }
    });
}

} // namespace

void cuda_convolution::conv2d_backward_data(const conv2d_geometry& g, const float* w, const float* dy,
                                            float* dx) {
    expect_layouts(g, "conv2d_backward_data");
    if (g.input().size() > 0) count(backward_data_calls(g, false));
    enqueue_backward_data(g, w, dy, dx);
}

void cuda_convolution::conv2d_backward_weights(const conv2d_geometry& g, const float* x, const float* dy,
                                               float* dw, float* db) {
    expect_layouts(g, "conv2d_backward_weights");
    if (g.weight().size() > 0 && g.output().size() > 0) count(backward_weights_calls(g, db != nullptr));
    enqueue_backward_weights(g, x, dy, dw, db);
}

// As the GPU code writes them (there, at bf16, from one rounding of dy, which the count follows; here
// each direction rounds it, to the same values).
void cuda_convolution::conv2d_backward(const conv2d_geometry& g, const float* x, const float* w,
                                       const float* dy, float* dx, float* dw, float* db) {
    if (!at_bf16() || !dx || g.input().size() == 0 || g.weight().size() == 0 || g.output().size() == 0) {
        conv2d_backward_weights(g, x, dy, dw, db);
        if (dx) conv2d_backward_data(g, w, dy, dx);
        return;
    }
    expect_layouts(g, "conv2d_backward");
    count(backward_weights_calls(g, db != nullptr) + backward_data_calls(g, true));
    enqueue_backward_weights(g, x, dy, dw, db);
    enqueue_backward_data(g, w, dy, dx);
}

void cuda_dense::gemm(const gemm_geometry& g, float alpha, const float* a, const float* b, float beta,
                      float* c) {
    if (g.m > 0 && g.n > 0 && g.k > 0) count(1);
    on_stream([=] { jhr::reference::gemm(g, alpha, a, b, beta, c); });
}

} // namespace jhr::backends
