// jhr/core/backend.hpp: the Backend concept, the compile-time policy every layer, loss and
// optimizer is parameterised on.
//
// A backend is a type with static functions over raw pointers into its own memory (host memory for
// reference and oneDNN, device memory for CUDA) plus descriptors from geometry.hpp. Conventions:
// - buffer<T> is a movable owning array of T in backend memory with data() and size().
// - Functions write their outputs (overwrite, never accumulate) unless the name says otherwise
//   (axpy, the in-place updates).
// - Losses write their value (a double) into backend memory, like their gradients, so a training
//   step never waits for the device; read it with download.
// - Labels are int32 class indices in [0, classes), in backend memory.
// The reference backend (backends/reference) is the readable specification of every function.
#pragma once

#include "jhr/core/geometry.hpp"

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace jhr {

template <class B>
concept Backend = requires(std::size_t n, float s, const float* x, float* y, const std::int32_t* labels,
                           std::span<const float> host_in, std::span<float> host_out,
                           std::span<const std::int32_t> host_labels, std::int32_t* device_labels,
                           double value_scale, double* value, std::span<const double> host_value_in,
                           std::span<double> host_value, conv2d_geometry conv, pool2d_geometry pool,
                           channel_geometry ch, gemm_geometry g) {
    { B::name } -> std::convertible_to<std::string_view>;
    typename B::template buffer<float>;
    typename B::template buffer<std::int32_t>;
    typename B::template buffer<double>;
    { typename B::template buffer<float>(n).data() } -> std::same_as<float*>;

    // host <-> backend memory, and within backend memory
    B::upload(host_in, y);
    B::upload(host_labels, device_labels);
    B::upload(host_value_in, value);
    B::download(x, host_out);
    B::download(static_cast<const double*>(value), host_value);
    B::copy(n, x, y);
    B::fill(n, s, y);

    // element-wise and reductions
    B::add(n, x, x, y);  // y = a + b (y may be a or b)
    B::scale(n, s, y);   // y *= s
    B::axpy(n, s, x, y); // y += s * x
    { B::sum(n, x) } -> std::same_as<double>;
    { B::dot(n, x, x) } -> std::same_as<double>;

    // convolution
    B::conv2d_forward(conv, x, x, x, y);          // x, w, b (nullable), y
    B::conv2d_backward_data(conv, x, x, y);       // w, dy, dx
    B::conv2d_backward_weights(conv, x, x, y, y); // x, dy, dw, db (nullable)

    // 2-d max pooling; workspace holds max_pool2d_workspace(pool) floats recorded by forward
    { B::max_pool2d_workspace(pool) } -> std::same_as<std::size_t>;
    B::max_pool2d_forward(pool, x, y, y);  // x, y, workspace
    B::max_pool2d_backward(pool, x, x, y); // workspace, dy, dx

    // activations
    B::relu_forward(n, x, y);             // y = max(x, 0)
    B::relu_backward(n, x, x, y);         // x, dy, dx
    B::prelu_forward(ch, x, x, y);        // x, alpha[channels], y
    B::prelu_backward(ch, x, x, x, y, y); // x, alpha, dy, dx, dalpha

    // dense algebra
    B::gemm(g, s, x, x, s, y);     // C = alpha op(A) op(B) + beta C
    B::add_row_vector(n, n, x, y); // y[r, c] += v[c] for a rows x cols y
    B::sum_rows(n, n, x, y);       // out[c] = sum_r x[r, c]

    // losses (see losses/ for the scaling each one documents): *value = value_scale * the sum over
    // the batch, in double; the gradient (nullable) is gradient_scale times that sum's derivative
    B::softmax_cross_entropy(n, n, x, labels, value_scale, s, y, value); // z, labels, .., dz, value
    B::center_distance(n, n, x, labels, x, value_scale, s, y, value);    // x, labels, centers, .., dx
    B::center_update(n, n, x, labels, s, y);
    B::squared_difference(n, x, x, value_scale, s, y, value); // y, t, .., dy, value

    // optimizer
    B::sgd_momentum_update(n, s, s, s, y, x, y); // lr, momentum, weight_decay, w, dw, velocity

    B::synchronize();
};

// Optional: a backend whose convolutions run faster on a blocked layout says which layout a
// convolution's output should take, and converts between layouts (shape, from, x, to, y). Layers
// then keep activations blocked between layers; every other backend sees only nchw.
template <class B>
concept BlockedLayouts = Backend<B> &&
    requires(conv2d_geometry g, shape s, layout l, const float* x, float* y) {
    { B::conv2d_output_layout(g) } -> std::same_as<layout>;
    B::relayout(s, l, x, l, y);
};

// Optional: a BlockedLayouts backend that keeps activations in bfloat16 (layout::nhwc_bf16,
// chosen by its conv2d_output_layout; its layout-aware functions read and write such tensors and
// relayout converts them) also adds them: add_bfloat16(n, a, b, y), y = a + b over n elements,
// each sum rounded to bfloat16 (y may be a or b). accumulate (core/tensor.hpp) uses it.
template <class B>
concept Bfloat16Activations = BlockedLayouts<B> && requires(std::size_t n, const float* x, float* y) {
    B::add_bfloat16(n, x, x, y);
};

// Optional: a backend that adds a convolution's bias inside the activation that follows it, one
// pass each way instead of two (z is the convolution's output without its bias, x = z + bias[c]):
//   bias_prelu_forward(ch, z, bias, alpha, y): y = prelu(x);
//   bias_prelu_backward(ch, z, bias, alpha, dy, dx, dbias, dalpha): dx and dalpha as prelu_backward
//   at x, dbias[c] = the sum of dx over channel c (both written, not accumulated);
//   bias_relu_forward(ch, z, bias, y) and bias_relu_backward(ch, z, bias, dy, dx, dbias) likewise.
// conv2d -> prelu and conv2d -> relu pairs (conv2d::forward_then) then run that way.
template <class B>
concept BiasActivationEpilogues = Backend<B> && requires(channel_geometry ch, const float* x, float* y) {
    B::bias_prelu_forward(ch, x, x, x, y);
    B::bias_prelu_backward(ch, x, x, x, x, y, y, y);
    B::bias_relu_forward(ch, x, x, y);
    B::bias_relu_backward(ch, x, x, x, y, y);
};

// Optional: a backend that updates many parameter tensors in one call (one kernel on CUDA instead
// of one per tensor): sgd_momentum_update_all(parameters, momentum) does, for each, what
// sgd_momentum_update(size, lr, momentum, weight_decay, w, dw, velocity) does. optim/sgd.hpp uses it.
template <class B>
concept BatchedSgd = Backend<B> && requires(std::span<const sgd_parameter> parameters, float momentum) {
    B::sgd_momentum_update_all(parameters, momentum);
};

// Optional: a backend that also adds a residual unit's skip term in the PReLU epilogue:
// bias_prelu_residual_forward(ch, z, bias, alpha, skip, y): y = prelu(z + bias[c]) + skip (all in
// ch's layout).
// The residual block's forward then forms its sum in that pass.
template <class B>
concept ResidualEpilogue = BiasActivationEpilogues<B> &&
    requires(channel_geometry ch, const float* x, float* y) {
    B::bias_prelu_residual_forward(ch, x, x, x, x, y);
};

// Optional: a backend that computes a convolution's two gradients in one call, sharing what they
// have in common (CUDA at bf16 rounds the output gradient once for both):
// conv2d_backward(g, x, w, dy, dx, dw, db) writes what conv2d_backward_weights(g, x, dy, dw, db) and,
// unless dx is null, conv2d_backward_data(g, w, dy, dx) write. conv2d's backward uses it.
template <class B>
concept JointConvolutionBackward = Backend<B> && requires(conv2d_geometry g, const float* x, float* y) {
    B::conv2d_backward(g, x, x, x, y, y, y);
};

// Optional: a backend that records a function's work once and replays it at the cost of one launch
// (CUDA graphs: B::graph::capture(work) returns the recording, replay() runs it; the recorded work
// reads and writes the memory it used at capture). The trainer's `graph` option uses it.
template <class B>
concept CapturedGraphs = Backend<B> && requires(const typename B::graph& g, void (*work)()) {
    { B::graph::capture(work) } -> std::same_as<typename B::graph>;
    g.replay();
};

} // namespace jhr
