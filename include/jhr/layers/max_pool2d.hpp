// jhr/layers/max_pool2d.hpp: max pooling over window x window patches (default 2x2, stride 2),
// no padding, floor rounding of the output size. The gradient goes to the first maximum of each
// window, found through the workspace forward records: backward does not read the input. y and
// dL/dx keep x's layout.
#pragma once

#include "jhr/layers/layer.hpp"

#include <optional>

namespace jhr {

template <Backend B>
class max_pool2d {
public:
    explicit max_pool2d(int window = 2, int stride = 2) : window_(window), stride_(stride) {
        if (window <= 0 || stride <= 0)
            throw shape_error("max_pool2d: window and stride must be positive, got " +
                              std::to_string(window) + ", " + std::to_string(stride));
    }

    static constexpr bool reads_input_in_backward = false;

    shape output_shape(const shape& in) const { return geometry(in).output(); }

    const tensor<B>& forward(const tensor<B>& x) {
        pool2d_geometry g = geometry(x.shape());
        g.data_layout = x.layout();
        forwarded_ = g;
        output_.resize(g.output(), g.data_layout);
        const std::size_t workspace = B::max_pool2d_workspace(g);
        workspace_.resize(shape{1, 1, 1, int(workspace)});
        B::max_pool2d_forward(g, x.data(), output_.data(), workspace_.data());
        return output_;
    }
    const tensor<B>& backward(const tensor<B>& dy) {
        expect_forward_before_backward(forwarded_ ? this : nullptr, "max_pool2d");
        const pool2d_geometry& g = *forwarded_;
        expect_shape(g.output(), dy.shape(), "max_pool2d::backward: output gradient");
        const tensor<B>& d = in_layout(dy, g.data_layout, converted_grad_);
        input_grad_.resize(g.input(), g.data_layout);
        B::max_pool2d_backward(g, workspace_.data(), d.data(), input_grad_.data());
        return input_grad_;
    }
    void release_input_gradient() { input_grad_.release(); }

    template <class Visitor>
    void for_each_parameter(Visitor&&) {}
    void initialize(rng&) {}

private:
    pool2d_geometry geometry(const shape& in) const {
        if (in.h < window_ || in.w < window_)
            throw shape_error("max_pool2d: input " + in.str() + " is smaller than the " +
                              std::to_string(window_) + "x" + std::to_string(window_) + " window");
        return {in.n, in.c, in.h, in.w, window_, stride_};
    }

    int window_, stride_;
    std::optional<pool2d_geometry> forwarded_; // of the last forward
    tensor<B> output_, input_grad_, workspace_, converted_grad_;
};

} // namespace jhr
