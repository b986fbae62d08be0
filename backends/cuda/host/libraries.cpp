// Stand-ins for cuDNN and cuBLAS when the whole CUDA backend is built for host execution
// (JHR_WITH_CUDA=HOST): the convolutions of jhr/backends/cuda/convolution.hpp and the GEMM of
// dense.hpp are the reference backend's, on the host memory that is device memory there, at fp32
// whatever the precision. They let the typed suites and the jhr command line run the backend's own
// code on machines without a GPU; they test nothing of cuDNN or cuBLAS.
#include "jhr/backends/cuda/convolution.hpp"
#include "jhr/backends/cuda/dense.hpp"
#include "jhr/backends/reference.hpp"

namespace jhr::backends {

void cuda_convolution::conv2d_forward(const conv2d_geometry& g, const float* x, const float* w,
                                      const float* b, float* y) {
    jhr::reference::conv2d_forward(g, x, w, b, y);
}
void cuda_convolution::conv2d_backward_data(const conv2d_geometry& g, const float* w, const float* dy,
                                            float* dx) {
    jhr::reference::conv2d_backward_data(g, w, dy, dx);
}
void cuda_convolution::conv2d_backward_weights(const conv2d_geometry& g, const float* x, const float* dy,
                                               float* dw, float* db) {
    jhr::reference::conv2d_backward_weights(g, x, dy, dw, db);
}

void cuda_dense::gemm(const gemm_geometry& g, float alpha, const float* a, const float* b, float beta,
                      float* c) {
    jhr::reference::gemm(g, alpha, a, b, beta, c);
}

} // namespace jhr::backends
