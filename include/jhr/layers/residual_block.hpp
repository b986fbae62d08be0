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

    // The skip sums are formed in place, in tensors the block's own layers hold and no longer read:
    // prelu2's output (its backward reads its input) and conv1's input gradient. So a block keeps
    // no output or input-gradient tensor of its own. On a ResidualEpilogue backend prelu2 adds the
    // skip term in its own pass (x in the layout of conv1's output, which conv2's shares).
    const tensor<B>& forward(const tensor<B>& x) {
        const tensor<B>& inner = forward_pair(conv1_, prelu1_, x);
        if constexpr (ResidualEpilogue<B>)
            if (conv2_.options().bias)
                return conv2_.forward_then(prelu2_, inner, in_layout(x, inner.layout(), converted_));
        auto& out = owned(forward_pair(conv2_, prelu2_, inner));
        accumulate(x, out, converted_);
        return out;
    }
    // Each inner gradient is released as soon as the next layer down has consumed it.
    const tensor<B>& backward(const tensor<B>& dy) {
        const tensor<B>& d_conv2_out = prelu2_.backward(dy);
        const tensor<B>& d_prelu1_out = conv2_.backward(d_conv2_out);
        prelu2_.release_input_gradient();
        const tensor<B>& d_conv1_out = prelu1_.backward(d_prelu1_out);
        conv2_.release_input_gradient();
        auto& dx = owned(conv1_.backward(d_conv1_out));
        prelu1_.release_input_gradient();
        accumulate(dy, dx, converted_);
        return dx;
    }
    void release_input_gradient() { conv1_.release_input_gradient(); }

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
    // A tensor held by one of this block's layers, which the block may update in place.
    static tensor<B>& owned(const tensor<B>& t) { return const_cast<tensor<B>&>(t); }

    conv2d<B> conv1_;
    prelu<B> prelu1_;
    conv2d<B> conv2_;
    prelu<B> prelu2_;
    tensor<B> converted_; // the skip term, where x or dy is not in the layout of the sum
};

} // namespace jhr
