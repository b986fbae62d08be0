// jhr/models/frnet.hpp: the recognition network FRNET (paper Table 2, the center-loss ResNet).
//
// Four stages, each: conv 3x3 pad 0, PReLU, max-pool 2x2 stride 2, then residual blocks (two
// 3x3 pad-1 convolutions with PReLU and an identity skip); widths 64/128/256/512 with 1/2/5/3
// blocks; then an inner product to a 512-d feature, the face representation. For the paper's
// 116x100 input (SRNET's output of a 124x108 face) the last maps are 512 x 5 x 4.
// Widths, block counts, feature size and input size are options so tests and CPU runs can shrink it.
#pragma once

#include "jhr/layers/conv2d.hpp"
#include "jhr/layers/linear.hpp"
#include "jhr/layers/max_pool2d.hpp"
#include "jhr/layers/prelu.hpp"
#include "jhr/layers/repeat.hpp"
#include "jhr/layers/residual_block.hpp"
#include "jhr/layers/sequential.hpp"

#include <array>

namespace jhr {

struct frnet_options {
    int channels = 3;
    std::array<int, 4> widths{64, 128, 256, 512};
    std::array<int, 4> blocks{1, 2, 5, 3};
    int features = 512;
    int input_height = 116, input_width = 100;
};

template <Backend B>
using frnet = sequential<B,                                                                     //
                         conv2d<B>, prelu<B>, max_pool2d<B>, repeat<residual_block<B>>,         //
                         conv2d<B>, prelu<B>, max_pool2d<B>, repeat<residual_block<B>>,         //
                         conv2d<B>, prelu<B>, max_pool2d<B>, repeat<residual_block<B>>,         //
                         conv2d<B>, prelu<B>, max_pool2d<B>, repeat<residual_block<B>>, linear<B>>;

namespace detail {
template <Backend B>
auto residual_blocks(int count, int width) {
    return repeat<residual_block<B>>(count, [width](int) { return residual_block<B>(width); });
}
} // namespace detail

// The spatial shape FRNET's last residual stage produces for the configured input.
inline shape frnet_final_maps(const frnet_options& o) {
    int h = o.input_height, w = o.input_width;
    for (int s = 0; s < 4; ++s) {
        h -= 2, w -= 2; // 3x3 pad-0 convolution
        if (h < 2 || w < 2)
            throw shape_error("frnet: input " + std::to_string(o.input_height) + "x" + std::to_string(o.input_width) +
                              " is too small for four conv + pool stages");
        h /= 2, w /= 2; // 2x2 stride-2 pooling, floor
    }
    return {1, o.widths[3], h, w};
}

template <Backend B>
frnet<B> make_frnet(const frnet_options& o = {}) {
    const auto& c = o.widths;
    const shape maps = frnet_final_maps(o);
    return frnet<B>(conv2d<B>({o.channels, c[0], 3, 1, 0}), prelu<B>(c[0]), max_pool2d<B>(),
                    detail::residual_blocks<B>(o.blocks[0], c[0]),                     //
                    conv2d<B>({c[0], c[1], 3, 1, 0}), prelu<B>(c[1]), max_pool2d<B>(), //
                    detail::residual_blocks<B>(o.blocks[1], c[1]),                     //
                    conv2d<B>({c[1], c[2], 3, 1, 0}), prelu<B>(c[2]), max_pool2d<B>(), //
                    detail::residual_blocks<B>(o.blocks[2], c[2]),                     //
                    conv2d<B>({c[2], c[3], 3, 1, 0}), prelu<B>(c[3]), max_pool2d<B>(), //
                    detail::residual_blocks<B>(o.blocks[3], c[3]),                     //
                    linear<B>(int(maps.sample_size()), o.features));
}

} // namespace jhr
