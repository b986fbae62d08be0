// jhr/layers/layer.hpp: the Layer concept every network building block satisfies.
//
// forward(x) computes the output into layer-owned storage and returns it; the layer remembers x,
// which must stay alive and unchanged until the matching backward(dy). backward(dy) returns
// dL/dx and writes the gradients of the layer's parameters. output_shape(s) states the shape
// forward would produce for input shape s (and throws shape_error if s is unacceptable).
// initialize(r) draws fresh parameter values. Outputs are reused between calls, so a training
// step does not allocate once shapes are stable. A layer whose backward does not read x declares
// `static constexpr bool reads_input_in_backward = false;`: its x may then be freed after forward.
#pragma once

#include "jhr/core/random.hpp"
#include "jhr/core/tensor.hpp"
#include "jhr/layers/parameter.hpp"

#include <concepts>
#include <string_view>

namespace jhr {

template <Backend B>
struct parameter_visitor_archetype {
    void operator()(std::string_view, parameter<B>&) const {}
};

template <class L, class B>
concept Layer = Backend<B> && requires(L& layer, const L& const_layer, const tensor<B>& x, const shape& s,
                                       rng& r, parameter_visitor_archetype<B> visit) {
    { layer.forward(x) } -> std::same_as<const tensor<B>&>;
    { layer.backward(x) } -> std::same_as<const tensor<B>&>;
    { const_layer.output_shape(s) } -> std::same_as<shape>;
    layer.for_each_parameter(visit);
    layer.initialize(r);
};

// Frees the input gradient layer's last backward() returned, once its consumer is done with it, so
// that a network holds only the gradients in flight (layer.release_input_gradient() where the
// layer has one; layers without it keep theirs).
template <class L>
void release_input_gradient(L& layer) {
    if constexpr (requires { layer.release_input_gradient(); }) layer.release_input_gradient();
}

// Whether L's backward reads the input its forward saw (true unless L declares otherwise).
template <class L>
constexpr bool reads_input_in_backward() {
    if constexpr (requires { L::reads_input_in_backward; })
        return L::reads_input_in_backward;
    else
        return true;
}

// Frees the output layer's last forward() returned, once its consumer no longer needs it (see
// reads_input_in_backward); layers without release_output() keep theirs.
template <class L>
void release_output(L& layer) {
    if constexpr (requires { layer.release_output(); }) layer.release_output();
}

// next.forward(layer.forward(x)), run as one where layer hands part of its work to next
// (conv2d::forward_then). Backward stays layer by layer.
template <class L, class Next, class T>
decltype(auto) forward_pair(L& layer, Next& next, const T& x) {
    if constexpr (requires { layer.forward_then(next, x); })
        return layer.forward_then(next, x);
    else
        return next.forward(layer.forward(x));
}

// Throws shape_error unless `bias` holds one value per channel (the bias a layer adds with
// forward_with_bias).
template <Backend B>
void expect_bias_for(const parameter<B>& bias, int channels, const char* layer) {
    if (bias.value.size() != std::size_t(channels))
        throw shape_error(std::string(layer) + ": bias " + bias.value.shape().str() + " for " +
                          std::to_string(channels) + " channels");
}

// Throws if forward has not run before backward.
inline void expect_forward_before_backward(const void* input, const char* layer) {
    if (!input) throw error(std::string(layer) + ": backward() called before forward()");
}

} // namespace jhr
