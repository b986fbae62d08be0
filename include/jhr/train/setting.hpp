// jhr/train/setting.hpp: what a training run feeds which network (the paper's Table 4 rows and
// the stand-alone SRNET), and the host-side input preparation each one needs.
//
// Faces are H x W (paper: 124x108); SRNET loses `border` pixels per side (4), so FRNET always sees
// (H - 2 border) x (W - 2 border) faces: HR and LR faces are centre-cropped to that size, SRNET's
// output already has it.
//   srnet:        SRNET alone, input LR (bicubic-upscaled), pixel loss against the cropped HR face.
//   hr:           FRNET alone on cropped HR faces (Table 4 settings 1-3).
//   lr:           FRNET alone on cropped LR faces (setting 4).
//   hallucinated: FRNET alone on the output of a fixed, separately trained SRNET (setting 5).
//   joint:        the Joint Model end to end, input LR (setting 6).
#pragma once

#include "jhr/core/tensor.hpp"

#include <algorithm>
#include <string>

namespace jhr {

enum class setting { srnet, hr, lr, hallucinated, joint };

inline std::string to_string(setting s) {
    switch (s) {
    case setting::srnet:
        return "srnet";
    case setting::hr:
        return "hr";
    case setting::lr:
        return "lr";
    case setting::hallucinated:
        return "hallucinated";
    case setting::joint:
        return "joint";
    }
    return "?";
}

inline setting parse_setting(const std::string& s) {
    for (setting v : {setting::srnet, setting::hr, setting::lr, setting::hallucinated, setting::joint})
        if (to_string(v) == s) return v;
    throw error("unknown setting '" + s + "' (expected srnet, hr, lr, hallucinated or joint)");
}

// Removes `border` pixels from every side of an NCHW host batch.
inline host_tensor crop_border(const host_tensor& x, int border) {
    const auto n = x.shape(0), c = x.shape(1), h = x.shape(2), w = x.shape(3);
    if (border < 0 || 2 * std::size_t(border) >= h || 2 * std::size_t(border) >= w)
        throw shape_error("crop_border: cannot remove " + std::to_string(border) + " px per side from " +
                          std::to_string(h) + "x" + std::to_string(w));
    const std::size_t b = std::size_t(border), oh = h - 2 * b, ow = w - 2 * b;
    host_tensor out = host_tensor::from_shape({n, c, oh, ow});
    for (std::size_t plane = 0; plane < n * c; ++plane)
        for (std::size_t y = 0; y < oh; ++y)
            std::copy_n(x.data() + (plane * h + y + b) * w + b, ow, out.data() + (plane * oh + y) * ow);
    return out;
}

} // namespace jhr
