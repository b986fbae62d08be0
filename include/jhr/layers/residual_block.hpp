// jhr/layers/residual_block.hpp: the paper's residual unit (Table 2, after Wen et al. 2016):
//   y = x + prelu2(conv2(prelu1(conv1(x)))), both convolutions 3x3, pad 1, stride 1, same width.
// Shape preserving. Parameters "conv1.weight", "conv1.bias", "prelu1.alpha", "conv2.*", "prelu2.*".
#pragma once

#include "jhr/layers/conv2d.hpp"
#include "jhr/layers/prelu.hpp"

namespace jhr {

template <Backend B>
class residual_block {
public:
    explicit residual_block(int channels)
        : conv1_({channels, channels, 3, 1, 1}), prelu1_(channels), conv2_({channels, channels, 3, 1, 1}),
          prelu2_(channels) {}

    shape output_shape(const shape& in) const { return conv1_.output_shape(in); }

    const tensor<B>& forward(const tensor<B>& x) {
        const tensor<B>& branch = prelu2_.forward(conv2_.forward(prelu1_.forward(conv1_.forward(x))));
        output_.resize(x.shape());
        B::add(x.size(), x.data(), branch.data(), output_.data());
        return output_;
    }
    // Each inner gradient is released as soon as the next layer down has consumed it.
    const tensor<B>& backward(const tensor<B>& dy) {
        const tensor<B>& d_conv2_out = prelu2_.backward(dy);
        const tensor<B>& d_prelu1_out = conv2_.backward(d_conv2_out);
        prelu2_.release_input_gradient();
        const tensor<B>& d_conv1_out = prelu1_.backward(d_prelu1_out);
        conv2_.release_input_gradient();
        const tensor<B>& branch = conv1_.backward(d_conv1_out);
        prelu1_.release_input_gradient();
        input_grad_.resize(dy.shape());
        B::add(dy.size(), dy.data(), branch.data(), input_grad_.data());
        conv1_.release_input_gradient();
        return input_grad_;
    }
    void release_input_gradient() { input_grad_.release(); }

    template <class Visitor>
    void for_each_parameter(Visitor&& visit) {
        conv1_.for_each_parameter(prefixed("conv1", visit));
        prelu1_.for_each_parameter(prefixed("prelu1", visit));
        conv2_.for_each_parameter(prefixed("conv2", visit));
        prelu2_.for_each_parameter(prefixed("prelu2", visit));
    }
    void initialize(rng& r) {
        conv1_.initialize(r);
        prelu1_.initialize(r);
        conv2_.initialize(r);
        prelu2_.initialize(r);
    }

private:
    conv2d<B> conv1_;
    prelu<B> prelu1_;
    conv2d<B> conv2_;
    prelu<B> prelu2_;
    tensor<B> output_, input_grad_;
};

} // namespace jhr
