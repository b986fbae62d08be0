// Stand-ins for cuDNN and cuBLAS when the whole CUDA backend is built for host execution
// (JHR_WITH_CUDA=HOST): the convolutions of jhr/backends/cuda/convolution.hpp and the GEMM of
// dense.hpp are the reference backend's, on the host memory that is device memory there, in fp32;
// at bf16 the convolutions round what cuDNN would read and write to bfloat16 with the backend's own
// conversion kernels, through nhwc as the CUDA convolutions do. They let the typed suites and the
// jhr command line run the backend's own code on machines without a GPU; they test nothing of cuDNN
// or cuBLAS.
#include "jhr/backends/cuda/convolution.hpp"
#include "jhr/backends/cuda/dense.hpp"
#include "jhr/backends/cuda/precision.hpp"
#include "jhr/backends/reference.hpp"

#include "../src/bfloat16.hpp"

namespace jhr::backends {
namespace {

// Each stand-in first lets the stream reach it (the host execution carries out the copies queued
// before it), as a library call on the GPU runs after the work queued before it.
void reach_stream() {
    cudaDeviceSynchronize();
}

bool at_bf16() {
    return cuda_precision_control::precision() == jhr::precision::bf16;
}

// An nchw tensor (or kcrs filter) of batch x channels x pixels, rounded to bfloat16 as the CUDA
// convolutions round it (into an nhwc copy) and widened back into the nchw out (which may be t),
// plus the per-channel bias when not null.
void round_trip(std::size_t batch, std::size_t channels, std::size_t pixels, const float* t, float* out,
                const float* bias = nullptr) {
    cuda_buffer<cuda_detail::bfloat16_bits> nhwc(batch * channels * pixels);
    cuda_detail::round_to_bfloat16(batch, channels, pixels, t, nhwc.data());
    cuda_detail::widen_from_bfloat16(batch, pixels, channels, nhwc.data(), bias, out);
}

std::size_t input_pixels(const conv2d_geometry& g) {
    return std::size_t(g.in_height) * std::size_t(g.in_width);
}
std::size_t output_pixels(const conv2d_geometry& g) {
    return std::size_t(g.out_height()) * std::size_t(g.out_width());
}
std::size_t kernel_pixels(const conv2d_geometry& g) {
    return std::size_t(g.kernel) * std::size_t(g.kernel);
}

// What a bf16 convolution reads: x, w and dy rounded, as new buffers.
cuda_buffer<float> rounded_input(const conv2d_geometry& g, const float* x) {
    cuda_buffer<float> out(g.input().size());
    round_trip(std::size_t(g.batch), std::size_t(g.in_channels), input_pixels(g), x, out.data());
    return out;
}
cuda_buffer<float> rounded_weights(const conv2d_geometry& g, const float* w) {
    cuda_buffer<float> out(g.weight().size());
    round_trip(std::size_t(g.out_channels), std::size_t(g.in_channels), kernel_pixels(g), w, out.data());
    return out;
}
cuda_buffer<float> rounded_output(const conv2d_geometry& g, const float* dy) {
    cuda_buffer<float> out(g.output().size());
    round_trip(std::size_t(g.batch), std::size_t(g.out_channels), output_pixels(g), dy, out.data());
    return out;
}

} // namespace

void cuda_convolution::conv2d_forward(const conv2d_geometry& g, const float* x, const float* w,
                                      const float* b, float* y) {
    reach_stream();
    if (!at_bf16()) return jhr::reference::conv2d_forward(g, x, w, b, y);
    jhr::reference::conv2d_forward(g, rounded_input(g, x).data(), rounded_weights(g, w).data(), nullptr, y);
    round_trip(std::size_t(g.batch), std::size_t(g.out_channels), output_pixels(g), y, y, b);
}

void cuda_convolution::conv2d_backward_data(const conv2d_geometry& g, const float* w, const float* dy,
                                            float* dx) {
    reach_stream();
    if (!at_bf16()) return jhr::reference::conv2d_backward_data(g, w, dy, dx);
    jhr::reference::conv2d_backward_data(g, rounded_weights(g, w).data(), rounded_output(g, dy).data(), dx);
    round_trip(std::size_t(g.batch), std::size_t(g.in_channels), input_pixels(g), dx, dx);
}

// At bf16 the bias gradient, like cuDNN's, sums the fp32 output gradient.
void cuda_convolution::conv2d_backward_weights(const conv2d_geometry& g, const float* x, const float* dy,
                                               float* dw, float* db) {
    reach_stream();
    if (!at_bf16()) return jhr::reference::conv2d_backward_weights(g, x, dy, dw, db);
    jhr::reference::conv2d_backward_weights(g, rounded_input(g, x).data(), rounded_output(g, dy).data(), dw,
                                            nullptr);
    round_trip(std::size_t(g.out_channels), std::size_t(g.in_channels), kernel_pixels(g), dw, dw);
    if (!db) return;
    const std::size_t plane = output_pixels(g);
    for (int c = 0; c < g.out_channels; ++c) {
        double sum = 0.0;
        for (int n = 0; n < g.batch; ++n) {
            const float* row = dy + (std::size_t(n) * std::size_t(g.out_channels) + std::size_t(c)) * plane;
            for (std::size_t i = 0; i < plane; ++i) sum += row[i];
        }
        db[c] = float(sum);
    }
}

void cuda_dense::gemm(const gemm_geometry& g, float alpha, const float* a, const float* b, float beta,
                      float* c) {
    reach_stream();
    jhr::reference::gemm(g, alpha, a, b, beta, c);
}

} // namespace jhr::backends
