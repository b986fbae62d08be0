// jhr/layers/prelu.hpp: per-channel parametric ReLU (He et al. 2015): y = x if x > 0 else a_c x.
// Parameter "alpha" [channels, 1, 1, 1], initialised to 0.25, no weight decay. y and dL/dx keep
// x's layout. On a BiasActivationEpilogues backend it can also add the bias of the convolution before it
// (forward_with_bias, which conv2d::forward_then calls).
#pragma once

#include "jhr/layers/layer.hpp"

namespace jhr {

template <Backend B>
class prelu {
public:
    explicit prelu(int channels, float initial_slope = 0.25f)
        : alpha_(shape{channels, 1, 1, 1}, false), initial_slope_(initial_slope) {
        if (channels <= 0)
            throw shape_error("prelu: channels must be positive, got " + std::to_string(channels));
        alpha_.value.fill(initial_slope);
    }

    shape output_shape(const shape& in) const {
        geometry(in);
        return in;
    }

    const tensor<B>& forward(const tensor<B>& x) {
        const channel_geometry g = geometry(x);
        input_ = &x;
        bias_ = nullptr;
        output_.resize(x.shape(), x.layout());
        B::prelu_forward(g, x.data(), alpha_.value.data(), output_.data());
        return output_;
    }
    // y = prelu(z + bias[c]); the next backward also writes bias.grad (bias must outlive it).
    const tensor<B>& forward_with_bias(const tensor<B>& z,
                                       parameter<B>& bias) requires BiasActivationEpilogues<B> {
        const channel_geometry g = begin_with_bias(z, bias);
        B::bias_prelu_forward(g, z.data(), bias.value.data(), alpha_.value.data(), output_.data());
        return output_;
    }
    // The same plus `skip` (z's shape and layout) in the same pass: the residual unit's sum.
    const tensor<B>& forward_with_bias(const tensor<B>& z, parameter<B>& bias,
                                       const tensor<B>& skip) requires ResidualEpilogue<B> {
        expect_shape(z.shape(), skip.shape(), "prelu: skip term");
        if (skip.layout() != z.layout())
            throw shape_error("prelu: skip term in " + std::string(name(skip.layout())) + ", the input in " +
                              std::string(name(z.layout())));
        const channel_geometry g = begin_with_bias(z, bias);
        B::bias_prelu_residual_forward(g, z.data(), bias.value.data(), alpha_.value.data(), skip.data(),
                                       output_.data());
        return output_;
    }
    const tensor<B>& backward(const tensor<B>& dy) {
        expect_forward_before_backward(input_, "prelu");
        expect_shape(input_->shape(), dy.shape(), "prelu::backward: output gradient");
        const tensor<B>& d = in_layout(dy, input_->layout(), converted_grad_);
        input_grad_.resize(d.shape(), d.layout());
        if constexpr (BiasActivationEpilogues<B>)
            if (bias_) {
                B::bias_prelu_backward(geometry(*input_), input_->data(), bias_->value.data(),
                                       alpha_.value.data(), d.data(), input_grad_.data(), bias_->grad.data(),
                                       alpha_.grad.data());
                return input_grad_;
            }
        B::prelu_backward(geometry(*input_), input_->data(), alpha_.value.data(), d.data(),
                          input_grad_.data(), alpha_.grad.data());
        return input_grad_;
    }
    void release_input_gradient() { input_grad_.release(); }
    void release_output() { output_.release(); }

    template <class Visitor>
    void for_each_parameter(Visitor&& visit) {
        visit("alpha", alpha_);
    }
    void initialize(rng&) { alpha_.value.fill(initial_slope_); }

private:
    // Checks the bias, remembers the forward for backward and sizes the output.
    channel_geometry begin_with_bias(const tensor<B>& z, parameter<B>& bias) {
        const channel_geometry g = geometry(z);
        expect_bias_for(bias, g.channels, "prelu");
        input_ = &z;
        bias_ = &bias;
        output_.resize(z.shape(), z.layout());
        return g;
    }
    channel_geometry geometry(const shape& in) const {
        if (in.c != alpha_.value.shape().n)
            throw shape_error("prelu: input " + in.str() + " has " + std::to_string(in.c) +
                              " channels, the layer has " + std::to_string(alpha_.value.shape().n));
        return {in.n, in.c, in.h * in.w};
    }
    channel_geometry geometry(const tensor<B>& x) const {
        channel_geometry g = geometry(x.shape());
        g.data_layout = x.layout();
        return g;
    }

    parameter<B> alpha_;
    float initial_slope_;
    const tensor<B>* input_ = nullptr;
    parameter<B>* bias_ = nullptr; // added to the input by the last forward (forward_with_bias)
    tensor<B> output_, input_grad_, converted_grad_;
};

} // namespace jhr
