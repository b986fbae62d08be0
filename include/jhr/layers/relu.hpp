// jhr/layers/relu.hpp: y = max(x, 0) element-wise; no parameters. dL/dx = dL/dy where x > 0.
// y and dL/dx keep x's layout.
#pragma once

#include "jhr/layers/layer.hpp"

namespace jhr {

template <Backend B>
class relu {
public:
    shape output_shape(const shape& in) const { return in; }

    const tensor<B>& forward(const tensor<B>& x) {
        input_ = &x;
        output_.resize(x.shape(), x.layout());
        B::relu_forward(x.size(), x.data(), output_.data());
        return output_;
    }
    const tensor<B>& backward(const tensor<B>& dy) {
        expect_forward_before_backward(input_, "relu");
        expect_shape(input_->shape(), dy.shape(), "relu::backward: output gradient");
        const tensor<B>& d = in_layout(dy, input_->layout(), converted_grad_);
        input_grad_.resize(d.shape(), d.layout());
        B::relu_backward(d.size(), input_->data(), d.data(), input_grad_.data());
        return input_grad_;
    }

    void release_input_gradient() { input_grad_.release(); }
    void release_output() { output_.release(); }

    template <class Visitor>
    void for_each_parameter(Visitor&&) {}
    void initialize(rng&) {}

private:
    const tensor<B>* input_ = nullptr;
    tensor<B> output_, input_grad_, converted_grad_;
};

} // namespace jhr
