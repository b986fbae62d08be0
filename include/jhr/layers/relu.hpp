// jhr/layers/relu.hpp: y = max(x, 0) element-wise; no parameters. dL/dx = dL/dy where x > 0.
// y and dL/dx keep x's layout (a bfloat16 x's fp32 counterpart: the plain ReLU functions take fp32).
// On a BiasActivationEpilogues backend it can also add the bias of the convolution before it
// (forward_with_bias, which conv2d::forward_then calls).
#pragma once

#include "jhr/layers/layer.hpp"

namespace jhr {

template <Backend B>
class relu {
public:
    shape output_shape(const shape& in) const { return in; }

    const tensor<B>& forward(const tensor<B>& x_in) {
        const tensor<B>& x = in_layout(x_in, fp32_layout(x_in.layout()), converted_input_);
        input_ = &x;
        bias_ = nullptr;
        output_.resize(x.shape(), x.layout());
        B::relu_forward(x.size(), x.data(), output_.data());
        return output_;
    }
    // y = max(z + bias[c], 0); the next backward also writes bias.grad (bias must outlive it).
    const tensor<B>& forward_with_bias(const tensor<B>& z,
                                       parameter<B>& bias) requires BiasActivationEpilogues<B> {
        const channel_geometry g = channels_of(z);
        expect_bias_for(bias, g.channels, "relu");
        input_ = &z;
        bias_ = &bias;
        output_.resize(z.shape(), z.layout());
        B::bias_relu_forward(g, z.data(), bias.value.data(), output_.data());
        return output_;
    }
    const tensor<B>& backward(const tensor<B>& dy) {
        expect_forward_before_backward(input_, "relu");
        expect_shape(input_->shape(), dy.shape(), "relu::backward: output gradient");
        const tensor<B>& d = in_layout(dy, input_->layout(), converted_grad_);
        input_grad_.resize(d.shape(), d.layout());
        if constexpr (BiasActivationEpilogues<B>)
            if (bias_) {
                B::bias_relu_backward(channels_of(*input_), input_->data(), bias_->value.data(), d.data(),
                                      input_grad_.data(), bias_->grad.data());
                return input_grad_;
            }
        B::relu_backward(d.size(), input_->data(), d.data(), input_grad_.data());
        return input_grad_;
    }

    void release_input_gradient() { input_grad_.release(); }
    void release_output() { output_.release(); }

    template <class Visitor>
    void for_each_parameter(Visitor&&) {}
    void initialize(rng&) {}

private:
    static channel_geometry channels_of(const tensor<B>& x) {
        return {x.shape().n, x.shape().c, x.shape().h * x.shape().w, x.layout()};
    }

    const tensor<B>* input_ = nullptr;
    parameter<B>* bias_ = nullptr; // added to the input by the last forward (forward_with_bias)
    tensor<B> output_, input_grad_, converted_grad_, converted_input_;
};

} // namespace jhr
