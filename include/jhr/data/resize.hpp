// jhr/data/resize.hpp: MATLAB-imresize-compatible bicubic resizing, the LR degradation, and the
// pixel conventions of the paper (normalisation, horizontal flip).
//
// resize_bicubic follows MATLAB's imresize(..., 'bicubic') with its default antialiasing:
//   - cubic kernel with a = -0.5 (Keys), support 4 taps;
//   - output pixel x (1-based) samples input coordinate u = x / s + 0.5 * (1 - 1 / s), s = scale;
//   - when shrinking (s < 1) the kernel is stretched: h(t) = s * cubic(s * t), width 4 / s;
//   - weights of each output pixel are normalised to sum to 1;
//   - out-of-range taps are mirrored symmetrically (the edge pixel repeated: ..., 1, 0 | 0, 1, ...);
//   - dimensions are processed in order of increasing scale (rows first on ties), like MATLAB.
// Arithmetic is in double and the result is not rounded or clamped (MATLAB rounds uint8 inputs
// after each pass; jhr keeps floats). Images are HWC floats with any channel count.
// degrade(hr, f) gives the paper's LR face: imresize by 1/f (output ceil(H/f) x ceil(W/f)); with
// upscale = true it is imresized back to HxW (the SRCNN-style network input).
// normalise maps 0..255 to (x - 127.5) / 128; denormalise is its inverse.
#pragma once

#include "jhr/core/error.hpp"
#include "jhr/io/image.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace jhr {

// Resizes to out_height x out_width; scale per dimension is out / in.
image resize_bicubic(const image& img, int out_height, int out_width);
// Resizes by explicit scales (output ceil(in * scale)), as imresize(img, scale) does.
image resize_bicubic(const image& img, double scale_height, double scale_width);
// The LR version of an HR face: down by `factor`, and back up to the HR size when `upscale`.
image degrade(const image& hr, int factor, bool upscale);

inline constexpr float pixel_mean = 127.5f;
inline constexpr float pixel_scale = 128.0f;
image normalise(const image& img);
image denormalise(const image& img);
image flip_horizontal(const image& img);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

inline double cubic_kernel(double x) {
    const double a = std::abs(x), a2 = a * a, a3 = a2 * a;
    if (a <= 1.0) return 1.5 * a3 - 2.5 * a2 + 1.0;
    if (a <= 2.0) return -0.5 * a3 + 2.5 * a2 - 4.0 * a + 2.0;
    return 0.0;
}

// Taps of one output pixel: input indices (0-based, already mirrored) and their weights.
struct resize_taps {
    int count = 0;
    std::vector<int> index;     // out_length x count
    std::vector<double> weight; // out_length x count
};

inline resize_taps resize_contributions(int in_length, int out_length, double scale) {
    const bool shrink = scale < 1.0;
    const double kernel_width = shrink ? 4.0 / scale : 4.0;
    const int taps = int(std::ceil(kernel_width)) + 2;
    resize_taps r;
    r.count = taps;
    r.index.resize(std::size_t(out_length) * taps);
    r.weight.resize(std::size_t(out_length) * taps);
    const int period = 2 * in_length;
    for (int x = 1; x <= out_length; ++x) {
        const double u = x / scale + 0.5 * (1.0 - 1.0 / scale);
        const double left = std::floor(u - kernel_width / 2.0);
        double sum = 0.0;
        for (int k = 0; k < taps; ++k) {
            const double j = left + k; // 1-based input index
            const double t = u - j;
            const double w = shrink ? scale * cubic_kernel(scale * t) : cubic_kernel(t);
            int m = int(std::fmod(j - 1.0, double(period)));
            if (m < 0) m += period;
            const int mirrored = m < in_length ? m : period - 1 - m;
            r.index[std::size_t(x - 1) * taps + k] = mirrored;
            r.weight[std::size_t(x - 1) * taps + k] = w;
            sum += w;
        }
        for (int k = 0; k < taps; ++k) r.weight[std::size_t(x - 1) * taps + k] /= sum;
    }
    return r;
}

// The HWC image with rows and columns swapped (WxHxC).
inline image transpose_hw(const image& in) {
    const std::size_t h = in.shape(0), w = in.shape(1), c = in.shape(2);
    image out = image::from_shape({w, h, c});
    const float* src = in.data();
    float* dst = out.data();
    for (std::size_t y = 0; y < h; ++y)
        for (std::size_t x = 0; x < w; ++x)
            for (std::size_t ch = 0; ch < c; ++ch) dst[(x * h + y) * c + ch] = src[(y * w + x) * c + ch];
    return out;
}

// Resizes the rows of an HWC image to out_length rows: each output row is the sum of its tapped
// input rows, in tap order, accumulated in double (whole rows at a time, so the loop vectorises).
inline image resize_rows(const image& in, int out_length, double scale) {
    const resize_taps taps = resize_contributions(int(in.shape(0)), out_length, scale);
    const std::size_t row = in.shape(1) * in.shape(2);
    image out = image::from_shape({std::size_t(out_length), in.shape(1), in.shape(2)});
    std::vector<double> acc(row);
    for (int y = 0; y < out_length; ++y) {
        std::fill(acc.begin(), acc.end(), 0.0);
        for (int k = 0; k < taps.count; ++k) {
            const double weight = taps.weight[std::size_t(y) * taps.count + k];
            if (weight == 0.0) continue; // adds nothing to finite pixels
            const float* s = in.data() + std::size_t(taps.index[std::size_t(y) * taps.count + k]) * row;
            for (std::size_t j = 0; j < row; ++j) acc[j] += weight * double(s[j]);
        }
        float* d = out.data() + std::size_t(y) * row;
        for (std::size_t j = 0; j < row; ++j) d[j] = float(acc[j]);
    }
    return out;
}

// Resizes dimension `axis` (0 = rows, 1 = columns) of an HWC image; columns go through a transpose.
inline image resize_axis(const image& in, int axis, int out_length, double scale) {
    if (axis == 0) return resize_rows(in, out_length, scale);
    return transpose_hw(resize_rows(transpose_hw(in), out_length, scale));
}

inline image resize_with_scales(const image& img, int out_h, int out_w, double scale_h, double scale_w) {
    if (img.dimension() != 3 || img.shape(0) == 0 || img.shape(1) == 0 || img.shape(2) == 0)
        throw shape_error("resize_bicubic: expects a non-empty HxWxC image");
    if (out_h <= 0 || out_w <= 0 || !(scale_h > 0) || !(scale_w > 0))
        throw shape_error("resize_bicubic: invalid output size " + std::to_string(out_h) + "x" +
                          std::to_string(out_w));
    if (scale_h <= scale_w) return resize_axis(resize_axis(img, 0, out_h, scale_h), 1, out_w, scale_w);
    return resize_axis(resize_axis(img, 1, out_w, scale_w), 0, out_h, scale_h);
}

} // namespace detail

inline image resize_bicubic(const image& img, int out_height, int out_width) {
    const double sh = double(out_height) / double(img.shape(0));
    const double sw = double(out_width) / double(img.shape(1));
    return detail::resize_with_scales(img, out_height, out_width, sh, sw);
}

inline image resize_bicubic(const image& img, double scale_height, double scale_width) {
    if (!(scale_height > 0) || !(scale_width > 0))
        throw shape_error("resize_bicubic: scales must be positive, got " + std::to_string(scale_height) +
                          ", " + std::to_string(scale_width));
    const int oh = int(std::ceil(double(img.shape(0)) * scale_height));
    const int ow = int(std::ceil(double(img.shape(1)) * scale_width));
    return detail::resize_with_scales(img, oh, ow, scale_height, scale_width);
}

inline image degrade(const image& hr, int factor, bool upscale) {
    if (factor < 1) throw shape_error("degrade: factor must be >= 1, got " + std::to_string(factor));
    if (factor == 1) return hr;
    const image lr = resize_bicubic(hr, 1.0 / factor, 1.0 / factor);
    if (!upscale) return lr;
    return resize_bicubic(lr, int(hr.shape(0)), int(hr.shape(1)));
}

inline image normalise(const image& img) {
    return (img - pixel_mean) / pixel_scale;
}
inline image denormalise(const image& img) {
    return img * pixel_scale + pixel_mean;
}

inline image flip_horizontal(const image& img) {
    image out = image::from_shape(img.shape());
    const std::size_t h = img.shape(0), w = img.shape(1), c = img.shape(2);
    for (std::size_t y = 0; y < h; ++y)
        for (std::size_t x = 0; x < w; ++x)
            for (std::size_t ch = 0; ch < c; ++ch) out(y, x, ch) = img(y, w - 1 - x, ch);
    return out;
}

} // namespace jhr
