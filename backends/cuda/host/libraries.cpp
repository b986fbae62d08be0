// Stand-ins for cuDNN and cuBLAS when the whole CUDA backend is built for host execution
// (JHR_WITH_CUDA=HOST): the convolutions of jhr/backends/cuda/convolution.hpp and the GEMM of
// dense.hpp are the reference backend's, on the host memory that is device memory there, in fp32;
// at bf16 the convolutions round what cuDNN would read and write to bfloat16 with the backend's own
// conversion kernels. They let the typed suites and the
// jhr command line run the backend's own code on machines without a GPU; they test nothing of cuDNN
// or cuBLAS.
#include "jhr/backends/cuda/convolution.hpp"
#include "jhr/backends/cuda/dense.hpp"
#include "jhr/backends/cuda/precision.hpp"
#include "jhr/backends/reference.hpp"

#include "../src/bfloat16.hpp"

namespace jhr::backends {
namespace {

bool at_bf16() {
    return cuda_precision_control::precision() == jhr::precision::bf16;
}

// x[0, n) rounded to bfloat16 and widened again: what a bf16 convolution reads.
cuda_buffer<float> rounded(std::size_t n, const float* x) {
    cuda_buffer<float> out(n);
    cuda_detail::widen_from_bfloat16(n, cuda_detail::bfloat16_copy(n, x).data(), nullptr, 1, 1, out.data());
    return out;
}

// y rounded to bfloat16 in place, plus the per-channel bias when not null: a bf16 convolution's output.
void round_output(std::size_t n, float* y, const float* bias = nullptr, std::size_t channels = 1,
                  std::size_t plane = 1) {
    cuda_detail::widen_from_bfloat16(n, cuda_detail::bfloat16_copy(n, y).data(), bias, channels, plane, y);
}

} // namespace

void cuda_convolution::conv2d_forward(const conv2d_geometry& g, const float* x, const float* w,
                                      const float* b, float* y) {
    if (!at_bf16()) return jhr::reference::conv2d_forward(g, x, w, b, y);
    jhr::reference::conv2d_forward(g, rounded(g.input().size(), x).data(),
                                   rounded(g.weight().size(), w).data(), nullptr, y);
    round_output(g.output().size(), y, b, std::size_t(g.out_channels),
                 std::size_t(g.out_height()) * std::size_t(g.out_width()));
}

void cuda_convolution::conv2d_backward_data(const conv2d_geometry& g, const float* w, const float* dy,
                                            float* dx) {
    if (!at_bf16()) return jhr::reference::conv2d_backward_data(g, w, dy, dx);
    jhr::reference::conv2d_backward_data(g, rounded(g.weight().size(), w).data(),
                                         rounded(g.output().size(), dy).data(), dx);
    round_output(g.input().size(), dx);
}

// At bf16 the bias gradient, like cuDNN's, sums the fp32 output gradient.
void cuda_convolution::conv2d_backward_weights(const conv2d_geometry& g, const float* x, const float* dy,
                                               float* dw, float* db) {
    if (!at_bf16()) return jhr::reference::conv2d_backward_weights(g, x, dy, dw, db);
    jhr::reference::conv2d_backward_weights(g, rounded(g.input().size(), x).data(),
                                            rounded(g.output().size(), dy).data(), dw, nullptr);
    round_output(g.weight().size(), dw);
    if (!db) return;
    const std::size_t plane = std::size_t(g.out_height()) * std::size_t(g.out_width());
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
    jhr::reference::gemm(g, alpha, a, b, beta, c);
}

} // namespace jhr::backends
