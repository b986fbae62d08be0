// jhr/models/srnet.hpp: the hallucination network SRNET (paper Table 1, SRCNN-like).
//
// conv 9x9 -> 64, ReLU, conv 1x1 -> 32, ReLU, conv 1x1 -> 3; stride 1, pad 0 everywhere, so the
// output is (kernel - 1) = 8 pixels smaller than the input in each dimension and the HR target is
// centre-cropped to match. Input: the LR face bicubic-upscaled to HR size (SRCNN convention).
#pragma once

#include "jhr/layers/conv2d.hpp"
#include "jhr/layers/relu.hpp"
#include "jhr/layers/sequential.hpp"

namespace jhr {

struct srnet_options {
    int channels = 3;
    int features = 64;        // first layer width
    int mapping_features = 32; // second layer width
    int kernel = 9;           // first layer kernel
    // Pixels the output loses on each side: (kernel - 1) / 2.
    int border() const { return (kernel - 1) / 2; }
};

template <Backend B>
using srnet = sequential<B, conv2d<B>, relu<B>, conv2d<B>, relu<B>, conv2d<B>>;

template <Backend B>
srnet<B> make_srnet(const srnet_options& o = {}) {
    return srnet<B>(conv2d<B>({o.channels, o.features, o.kernel, 1, 0}), relu<B>(),
                    conv2d<B>({o.features, o.mapping_features, 1, 1, 0}), relu<B>(),
                    conv2d<B>({o.mapping_features, o.channels, 1, 1, 0}));
}

} // namespace jhr
