// Small model configurations for tests (input 50x50, SRNET output and FRNET input 48x48): the paper's structure at a size that runs in milliseconds.
#pragma once

#include "jhr/models/joint_model.hpp"

namespace jhr::testing {

inline joint_model_options tiny_joint_options(int classes = 3) {
    joint_model_options o;
    o.srnet = {3, 4, 3, 3}; // 50x50 input -> 48x48 output
    o.frnet.widths = {2, 3, 3, 4};
    o.frnet.blocks = {1, 1, 0, 1};
    o.frnet.features = 6;
    o.frnet.input_height = 48; // 46 -> 23 -> 21 -> 10 -> 8 -> 4 -> 2 -> 1
    o.frnet.input_width = 48;
    o.classes = classes;
    o.loss.beta2 = 0.1f;
    return o;
}

} // namespace jhr::testing
