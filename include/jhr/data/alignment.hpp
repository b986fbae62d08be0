// jhr/data/alignment.hpp: face alignment by a 5-point similarity transform, and fixed crops.
//
// Coordinates are in pixels, x to the right and y down, with pixel centres at integer coordinates
// (pixel (0, 0) covers [-0.5, 0.5]^2). Landmarks come in the order left eye, right eye, nose tip,
// left mouth corner, right mouth corner (as seen in the image).
//
// face_template(H, W) places the 5-point template of the 112x96 (height x width) crops of Wen et al.
// 2016 into an H x W frame: it is scaled uniformly by s = min(W / 96, H / 112) and centred,
//     x' = s * x + (W - 96 s) / 2,   y' = s * y + (H - 112 s) / 2.
// For the paper's 124x108 crop s = 124 / 112 = 1.10714, x offset 0.857, y offset 0.
//
// estimate_similarity fits x' = [a -b; b a] x + t (rotation, uniform scale, translation: 4 dof) in
// the least-squares sense. align_face warps the image so that the landmarks land on the template:
// each output pixel is sampled from the input by the inverse transform with bilinear interpolation;
// samples outside the input replicate the nearest edge pixel (border rule: replicate edge).
//
// center_crop cuts a fixed box (for already-aligned sets) and resizes it with resize_bicubic when the
// box and the output differ in size. lfw_deep_funneled_box is the box used for the 250x250
// deep-funneled LFW images (chosen from their mean image; see docs/data.md).
#pragma once

#include "jhr/core/error.hpp"
#include "jhr/data/resize.hpp"
#include "jhr/io/image.hpp"

#include <array>
#include <cmath>
#include <span>
#include <string>

namespace jhr {

struct point {
    double x = 0.0;
    double y = 0.0;
};

using landmarks = std::array<point, 5>;

// x' = a x - b y + tx, y' = b x + a y + ty.
struct similarity_transform {
    double a = 1.0, b = 0.0, tx = 0.0, ty = 0.0;

    point apply(point p) const { return {a * p.x - b * p.y + tx, b * p.x + a * p.y + ty}; }
    double scale() const { return std::hypot(a, b); }
    similarity_transform inverse() const;
};

inline constexpr int default_face_height = 124;
inline constexpr int default_face_width = 108;

landmarks face_template(int height = default_face_height, int width = default_face_width);
// Least-squares similarity from src to dst (equal counts, at least 2 distinct source points).
similarity_transform estimate_similarity(std::span<const point> src, std::span<const point> dst);
// Warps img by `transform` (input -> output coordinates) into an out_height x out_width image.
image warp_similarity(const image& img, const similarity_transform& transform, int out_height, int out_width);
// Aligns a face given its 5 landmarks (in img's pixel coordinates) to face_template(H, W).
image align_face(const image& img, const landmarks& points, int out_height = default_face_height,
                 int out_width = default_face_width);

struct crop_box {
    int x = 0, y = 0, width = 0, height = 0;
};
// The crop for 250x250 LFW deep-funneled images: the mean face has its eyes at y 111, x 104 and 146,
// mouth at y 156; this 108x124 box puts them on face_template(124, 108) within about 2 px, unscaled.
inline constexpr crop_box lfw_deep_funneled_box{71, 54, 108, 124};
image center_crop(const image& img, const crop_box& box, int out_height = default_face_height,
                  int out_width = default_face_width);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

inline similarity_transform similarity_transform::inverse() const {
    const double d = a * a + b * b;
    if (!(d > 0.0)) throw shape_error("similarity_transform::inverse: transform is singular (scale 0)");
    similarity_transform inv{a / d, -b / d, 0.0, 0.0};
    const point t = inv.apply({tx, ty});
    inv.tx = -t.x;
    inv.ty = -t.y;
    return inv;
}

inline landmarks face_template(int height, int width) {
    if (height <= 0 || width <= 0)
        throw shape_error("face_template: invalid size " + std::to_string(height) + "x" +
                          std::to_string(width));
    constexpr landmarks base{point{30.2946, 51.6963}, point{65.5318, 51.5014}, point{48.0252, 71.7366},
                             point{33.5493, 92.3655}, point{62.7299, 92.2041}};
    const double s = std::min(width / 96.0, height / 112.0);
    const double ox = (width - 96.0 * s) / 2.0, oy = (height - 112.0 * s) / 2.0;
    landmarks out;
    for (std::size_t i = 0; i < base.size(); ++i) out[i] = {s * base[i].x + ox, s * base[i].y + oy};
    return out;
}

inline similarity_transform estimate_similarity(std::span<const point> src, std::span<const point> dst) {
    if (src.size() != dst.size() || src.size() < 2)
        throw shape_error("estimate_similarity: needs equal point counts >= 2, got " +
                          std::to_string(src.size()) + " and " + std::to_string(dst.size()));
    point ms, md;
    for (std::size_t i = 0; i < src.size(); ++i) {
        if (!std::isfinite(src[i].x) || !std::isfinite(src[i].y) || !std::isfinite(dst[i].x) ||
            !std::isfinite(dst[i].y))
            throw shape_error("estimate_similarity: point " + std::to_string(i) + " is not finite");
        ms.x += src[i].x, ms.y += src[i].y, md.x += dst[i].x, md.y += dst[i].y;
    }
    const double n = double(src.size());
    ms.x /= n, ms.y /= n, md.x /= n, md.y /= n;
    double norm = 0.0, dot = 0.0, cross = 0.0;
    for (std::size_t i = 0; i < src.size(); ++i) {
        const double sx = src[i].x - ms.x, sy = src[i].y - ms.y;
        const double dx = dst[i].x - md.x, dy = dst[i].y - md.y;
        norm += sx * sx + sy * sy;
        dot += sx * dx + sy * dy;
        cross += sx * dy - sy * dx;
    }
    if (!(norm > 1e-12)) throw shape_error("estimate_similarity: source points coincide");
    similarity_transform t{dot / norm, cross / norm, 0.0, 0.0};
    const point r = t.apply(ms);
    t.tx = md.x - r.x;
    t.ty = md.y - r.y;
    return t;
}

inline image warp_similarity(const image& img, const similarity_transform& transform, int out_height,
                             int out_width) {
    if (img.dimension() != 3 || img.shape(0) == 0 || img.shape(1) == 0)
        throw shape_error("warp_similarity: expects a non-empty HxWxC image");
    if (out_height <= 0 || out_width <= 0)
        throw shape_error("warp_similarity: invalid output size " + std::to_string(out_height) + "x" +
                          std::to_string(out_width));
    const similarity_transform inv = transform.inverse();
    const int h = int(img.shape(0)), w = int(img.shape(1)), c = int(img.shape(2));
    image out = image::from_shape({std::size_t(out_height), std::size_t(out_width), std::size_t(c)});
    auto clamp_index = [](int i, int n) { return i < 0 ? 0 : (i >= n ? n - 1 : i); };
    for (int y = 0; y < out_height; ++y)
        for (int x = 0; x < out_width; ++x) {
            const point p = inv.apply({double(x), double(y)});
            const double fx = std::floor(p.x), fy = std::floor(p.y);
            const double wx = p.x - fx, wy = p.y - fy;
            // Far outside the input every tap replicates the same edge pixel; clamp before int cast.
            const double big = 4.0 * (h + w);
            const int x0 = int(std::clamp(fx, -big, big)), y0 = int(std::clamp(fy, -big, big));
            const int xa = clamp_index(x0, w), xb = clamp_index(x0 + 1, w);
            const int ya = clamp_index(y0, h), yb = clamp_index(y0 + 1, h);
            for (int ch = 0; ch < c; ++ch) {
                const double v = (1 - wy) * ((1 - wx) * img(ya, xa, ch) + wx * img(ya, xb, ch)) +
                                 wy * ((1 - wx) * img(yb, xa, ch) + wx * img(yb, xb, ch));
                out(y, x, ch) = float(v);
            }
        }
    return out;
}

inline image align_face(const image& img, const landmarks& points, int out_height, int out_width) {
    const landmarks target = face_template(out_height, out_width);
    return warp_similarity(img, estimate_similarity(points, target), out_height, out_width);
}

inline image center_crop(const image& img, const crop_box& box, int out_height, int out_width) {
    const int h = int(img.shape(0)), w = int(img.shape(1));
    if (box.width <= 0 || box.height <= 0 || box.x < 0 || box.y < 0 || box.x + box.width > w ||
        box.y + box.height > h)
        throw shape_error("center_crop: box (x " + std::to_string(box.x) + ", y " + std::to_string(box.y) +
                          ", " + std::to_string(box.width) + "x" + std::to_string(box.height) +
                          ") does not fit a " + std::to_string(w) + "x" + std::to_string(h) + " image");
    image crop = image::from_shape({std::size_t(box.height), std::size_t(box.width), img.shape(2)});
    for (int y = 0; y < box.height; ++y)
        for (int x = 0; x < box.width; ++x)
            for (std::size_t ch = 0; ch < img.shape(2); ++ch) crop(y, x, ch) = img(box.y + y, box.x + x, ch);
    if (box.height == out_height && box.width == out_width) return crop;
    return resize_bicubic(crop, out_height, out_width);
}

} // namespace jhr
