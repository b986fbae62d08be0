// jhr/layers/linear.hpp: inner product (fully connected). The input [N, C, H, W] is read as
// N rows of C*H*W features (in nchw order: a blocked input is converted first, and dL/dx converted
// back); output [N, out, 1, 1] with y = x W^T + b.
// Parameters: "weight" [out, in, 1, 1] (Xavier), "bias" [out, 1, 1, 1] (zero, no weight decay).
#pragma once

#include "jhr/layers/layer.hpp"

namespace jhr {

template <Backend B>
class linear {
public:
    linear(int in_features, int out_features, bool bias = true)
        : in_(in_features), out_(out_features), has_bias_(bias),
          weight_(shape{out_features, in_features, 1, 1}, true) {
        if (in_features <= 0 || out_features <= 0)
            throw shape_error("linear: feature counts must be positive, got in=" +
                              std::to_string(in_features) + " out=" + std::to_string(out_features));
        if (bias) bias_ = parameter<B>(shape{out_features, 1, 1, 1}, false);
    }

    shape output_shape(const shape& in) const {
        if (in.sample_size() != std::size_t(in_))
            throw shape_error("linear: input " + in.str() + " has " + std::to_string(in.sample_size()) +
                              " features per sample, the layer expects " + std::to_string(in_));
        return {in.n, out_, 1, 1};
    }

    const tensor<B>& forward(const tensor<B>& x) {
        output_.resize(output_shape(x.shape()));
        input_layout_ = x.layout();
        input_ = &in_layout(x, layout::nchw, converted_input_);
        const int n = x.shape().n;
        B::gemm({false, true, n, out_, in_}, 1.0f, input_->data(), weight_.value.data(), 0.0f,
                output_.data());
        if (has_bias_) B::add_row_vector(n, out_, bias_.value.data(), output_.data());
        return output_;
    }
    const tensor<B>& backward(const tensor<B>& dy_in) {
        expect_forward_before_backward(input_, "linear");
        const int n = input_->shape().n;
        expect_shape(shape{n, out_, 1, 1}, dy_in.shape(), "linear::backward: output gradient");
        const tensor<B>& dy = in_layout(dy_in, layout::nchw, converted_grad_);
        B::gemm({true, false, out_, in_, n}, 1.0f, dy.data(), input_->data(), 0.0f, weight_.grad.data());
        if (has_bias_) B::sum_rows(n, out_, dy.data(), bias_.grad.data());
        tensor<B>& dx = input_layout_ == layout::nchw ? input_grad_ : plain_input_grad_;
        dx.resize(input_->shape());
        B::gemm({false, false, n, in_, out_}, 1.0f, dy.data(), weight_.value.data(), 0.0f, dx.data());
        if (&dx != &input_grad_) convert_layout(dx, input_layout_, input_grad_);
        return input_grad_;
    }

    void release_input_gradient() { input_grad_.release(); }

    template <class Visitor>
    void for_each_parameter(Visitor&& visit) {
        visit("weight", weight_);
        if (has_bias_) visit("bias", bias_);
    }
    void initialize(rng& r) {
        fill_xavier(weight_, in_, r);
        if (has_bias_) bias_.value.fill(0.0f);
    }

    int in_features() const { return in_; }
    int out_features() const { return out_; }

private:
    int in_, out_;
    bool has_bias_;
    parameter<B> weight_, bias_;
    const tensor<B>* input_ = nullptr; // x, or its nchw copy in converted_input_
    layout input_layout_ = layout::nchw;
    tensor<B> output_, input_grad_, converted_input_, converted_grad_, plain_input_grad_;
};

} // namespace jhr
