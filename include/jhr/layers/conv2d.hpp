// jhr/layers/conv2d.hpp: 2-d convolution with a square kernel, stride, zero padding and bias.
//
// Input [N, in_channels, H, W] -> output [N, out_channels, (H + 2 pad - k) / stride + 1, ...].
// Parameters: "weight" [out, in, k, k] (Xavier), "bias" [out, 1, 1, 1] (zero, no weight decay).
#pragma once

#include "jhr/layers/layer.hpp"

namespace jhr {

struct conv2d_options {
    int in_channels = 0, out_channels = 0, kernel = 3, stride = 1, pad = 0;
    bool bias = true;
};

template <Backend B>
class conv2d {
public:
    explicit conv2d(const conv2d_options& o)
        : options_(o), weight_(shape{o.out_channels, o.in_channels, o.kernel, o.kernel}, true) {
        if (o.in_channels <= 0 || o.out_channels <= 0 || o.kernel <= 0 || o.stride <= 0 || o.pad < 0)
            throw shape_error("conv2d: invalid options in=" + std::to_string(o.in_channels) + " out=" +
                              std::to_string(o.out_channels) + " kernel=" + std::to_string(o.kernel) +
                              " stride=" + std::to_string(o.stride) + " pad=" + std::to_string(o.pad));
        if (o.bias) bias_ = parameter<B>(shape{o.out_channels, 1, 1, 1}, false);
    }

    shape output_shape(const shape& in) const { return geometry(in).output(); }

    // The output takes the layout the backend prefers for it (BlockedLayouts), else nchw.
    const tensor<B>& forward(const tensor<B>& x) { return run_forward(x, false); }

    // next.forward(forward(x)) for a next layer that adds this layer's bias itself (an epilogue:
    // prelu or relu on a BiasActivationEpilogues backend). next's backward then writes the bias gradient, and
    // this layer's backward leaves it alone.
    template <class Next>
    requires requires(Next& next, const tensor<B>& z, parameter<B>& b) { next.forward_with_bias(z, b); }
    const tensor<B>& forward_then(Next& next, const tensor<B>& x) {
        if (!options_.bias) return next.forward(forward(x));
        return next.forward_with_bias(run_forward(x, true), bias_);
    }
    // forward_then with next also adding `skip` to its output (a residual unit's sum); this layer
    // must have a bias.
    template <class Next>
    requires requires(Next& n, const tensor<B>& t, parameter<B>& b) { n.forward_with_bias(t, b, t); }
    const tensor<B>& forward_then(Next& next, const tensor<B>& x, const tensor<B>& skip) {
        if (!options_.bias) throw error("conv2d::forward_then: a skip term needs a convolution with a bias");
        return next.forward_with_bias(run_forward(x, true), bias_, skip);
    }

    // dL/dx comes back in the input's layout, whatever layout dy arrives in.
    const tensor<B>& backward(const tensor<B>& dy) {
        expect_forward_before_backward(input_, "conv2d");
        conv2d_geometry g = geometry(*input_);
        g.dst_layout = output_layout_;
        expect_shape(g.output(), dy.shape(), "conv2d::backward: output gradient");
        const tensor<B>& d = in_layout(dy, g.dst_layout, converted_grad_);
        float* db = options_.bias && !bias_in_next_ ? bias_.grad.data() : nullptr;
        input_grad_.resize(g.input(), g.src_layout);
        if constexpr (JointConvolutionBackward<B>) {
            B::conv2d_backward(g, input_->data(), weight_.value.data(), d.data(),
                               compute_input_gradient ? input_grad_.data() : nullptr, weight_.grad.data(),
                               db);
        } else {
            B::conv2d_backward_weights(g, input_->data(), d.data(), weight_.grad.data(), db);
            if (compute_input_gradient)
                B::conv2d_backward_data(g, weight_.value.data(), d.data(), input_grad_.data());
        }
        return input_grad_;
    }

    void release_input_gradient() { input_grad_.release(); }
    void release_output() { output_.release(); }

    template <class Visitor>
    void for_each_parameter(Visitor&& visit) {
        visit("weight", weight_);
        if (options_.bias) visit("bias", bias_);
    }

    void initialize(rng& r) {
        fill_xavier(weight_, options_.in_channels * options_.kernel * options_.kernel, r);
        if (options_.bias) bias_.value.fill(0.0f);
    }

    const conv2d_options& options() const { return options_; }

    // When false, backward skips dL/dx (for a network's first layer) and returns unspecified values.
    bool compute_input_gradient = true;

private:
    const tensor<B>& run_forward(const tensor<B>& x, bool bias_in_next) {
        conv2d_geometry g = geometry(x);
        if constexpr (BlockedLayouts<B>) g.dst_layout = B::conv2d_output_layout(g);
        input_ = &x;
        output_layout_ = g.dst_layout;
        bias_in_next_ = bias_in_next;
        output_.resize(g.output(), g.dst_layout);
        B::conv2d_forward(g, x.data(), weight_.value.data(),
                          options_.bias && !bias_in_next ? bias_.value.data() : nullptr, output_.data());
        return output_;
    }
    conv2d_geometry geometry(const tensor<B>& x) const {
        conv2d_geometry g = geometry(x.shape());
        g.src_layout = x.layout();
        return g;
    }
    conv2d_geometry geometry(const shape& in) const {
        const conv2d_geometry g{
            in.n, in.c, in.h, in.w, options_.out_channels, options_.kernel, options_.stride, options_.pad};
        if (in.c != options_.in_channels)
            throw shape_error("conv2d: input " + in.str() + " has " + std::to_string(in.c) +
                              " channels, the layer expects " + std::to_string(options_.in_channels));
        if (in.h + 2 * options_.pad < options_.kernel || in.w + 2 * options_.pad < options_.kernel)
            throw shape_error("conv2d: input " + in.str() + " is smaller than the " +
                              std::to_string(options_.kernel) + "x" + std::to_string(options_.kernel) +
                              " kernel with pad " + std::to_string(options_.pad));
        return g;
    }

    conv2d_options options_;
    parameter<B> weight_, bias_;
    const tensor<B>* input_ = nullptr;
    layout output_layout_ = layout::nchw;
    bool bias_in_next_ = false; // the last forward left the bias to the next layer (forward_then)
    tensor<B> output_, input_grad_, converted_grad_;
};

} // namespace jhr
