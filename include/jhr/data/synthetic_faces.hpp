// jhr/data/synthetic_faces.hpp: procedurally rendered colour faces, the library's built-in data.
//
// synthetic_faces(seed).render(identity, index) draws image `index` of person `identity` as an RGB
// image (values 0..255) of the configured size (default 124x108). Everything is a pure function of
// (seed, identity, index): any number of identities and images, identical on every platform (own
// integer RNG, no std distributions).
//   identity: face shape (width, length, chin taper), hair (colour, hairline, volume), skin colour,
//     eye placement/size/iris colour, eyebrow shape (arch, tilt, thickness), nose and mouth geometry,
//     and fine detail that 4x down-sampling destroys: 30-60 freckles of radius ~1-2 px and a skin
//     texture of three gratings with 3.5-5.5 px wavelength (identity-specific orientation and phase).
//   per image (nuisance): rotation (+-4 deg), scale (+-4 %), shift (+-1.5 px), lighting gain and a
//     directional gradient, colour cast, expression (smile, mouth opening, eye openness),
//     background colour and gradient, Gaussian pixel noise (sigma noise_sigma).
// Geometry is in face units: 1 unit = the output width, origin at the image centre, y down.
#pragma once

#include "jhr/io/image.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

namespace jhr::data {

struct synthetic_face_options {
    int height = 124;
    int width = 108;
    double nuisance = 1.0;    // multiplies pose, lighting and expression variation
    double noise_sigma = 3.0; // pixel noise, 0..255 units
};

// A deterministic generator: splitmix64 stream with uniform and normal draws.
class seeded_random {
public:
    explicit seeded_random(std::uint64_t seed) : state_(seed) {}
    static std::uint64_t mix(std::uint64_t z) {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::uint64_t next() { return mix(state_ += 0x9e3779b97f4a7c15ULL); }
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    double normal() {
        const double u1 = std::max(uniform(), 1e-300), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }

private:
    std::uint64_t state_;
};

class synthetic_faces {
public:
    explicit synthetic_faces(std::uint64_t seed, synthetic_face_options options = {})
        : seed_(seed), options_(options) {}

    image render(std::int64_t identity, std::int64_t index) const;
    const synthetic_face_options& options() const { return options_; }

private:
    struct rgb {
        double r, g, b;
    };
    struct freckle {
        double x, y, radius, depth;
    };
    struct grating {
        double kx, ky, phase, amplitude;
    };
    struct identity_traits {
        double face_rx, face_ry, chin_taper, face_y;
        rgb skin, hair, iris, lips, brow;
        double hairline, hair_volume;
        double eye_y, eye_dx, eye_rx, eye_ry, iris_r;
        double brow_gap, brow_arch, brow_tilt, brow_thickness, brow_length;
        double nose_length, nose_width, mouth_y, mouth_width, lip_thickness;
        std::vector<freckle> freckles;
        std::array<grating, 3> texture;
    };
    identity_traits traits(std::int64_t identity) const;

    std::uint64_t seed_;
    synthetic_face_options options_;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

// Coverage of a shape whose signed distance (face units, negative inside) is d, over a pixel of size px.
inline double coverage(double d, double px) {
    return std::clamp(0.5 - d / px, 0.0, 1.0);
}

// Approximate signed distance to an axis-aligned ellipse centred at the origin.
inline double ellipse_distance(double x, double y, double rx, double ry) {
    return (std::sqrt((x / rx) * (x / rx) + (y / ry) * (y / ry)) - 1.0) * std::min(rx, ry);
}

} // namespace detail

inline synthetic_faces::identity_traits synthetic_faces::traits(std::int64_t identity) const {
    seeded_random r(seeded_random::mix(seed_ ^ 0x5f3759dfULL) ^
                    seeded_random::mix(std::uint64_t(identity) + 1));
    identity_traits t;
    t.face_rx = r.uniform(0.32, 0.36);
    t.face_ry = r.uniform(0.44, 0.48);
    t.chin_taper = r.uniform(0.0, 0.35);
    t.face_y = r.uniform(0.02, 0.06);
    const double tone = r.uniform();
    t.skin = {90 + 150 * tone + r.uniform(-10, 10), 60 + 125 * tone + r.uniform(-10, 10),
              45 + 105 * tone + r.uniform(-10, 10)};
    const double hair_tone = r.uniform();
    t.hair = {20 + 200 * hair_tone * r.uniform(0.5, 1.0), 15 + 150 * hair_tone * r.uniform(0.4, 0.9),
              10 + 90 * hair_tone * r.uniform(0.2, 0.8)};
    t.iris = {r.uniform(30, 140), r.uniform(30, 140), r.uniform(20, 160)};
    t.lips = {t.skin.r * r.uniform(0.65, 0.85), t.skin.g * r.uniform(0.45, 0.65),
              t.skin.b * r.uniform(0.5, 0.7)};
    t.brow = {t.hair.r * 0.8, t.hair.g * 0.8, t.hair.b * 0.8};
    t.hairline = r.uniform(-0.30, -0.20);
    t.hair_volume = r.uniform(1.02, 1.15);
    t.eye_y = r.uniform(-0.08, -0.06);
    t.eye_dx = r.uniform(0.155, 0.175);
    t.eye_rx = r.uniform(0.045, 0.065);
    t.eye_ry = r.uniform(0.020, 0.030);
    t.iris_r = r.uniform(0.016, 0.022);
    t.brow_gap = r.uniform(0.045, 0.070);
    t.brow_arch = r.uniform(-0.01, 0.04);
    t.brow_tilt = r.uniform(-0.25, 0.25);
    t.brow_thickness = r.uniform(0.008, 0.020);
    t.brow_length = r.uniform(0.06, 0.09);
    t.nose_length = r.uniform(0.10, 0.16);
    t.nose_width = r.uniform(0.030, 0.050);
    t.mouth_y = r.uniform(0.19, 0.22);
    t.mouth_width = r.uniform(0.07, 0.11);
    t.lip_thickness = r.uniform(0.010, 0.020);
    const int count = 40 + int(r.next() % 41);
    for (int i = 0; i < count; ++i) {
        const double a = r.uniform(0, 2 * std::numbers::pi), rho = std::sqrt(r.uniform());
        t.freckles.push_back({0.85 * t.face_rx * rho * std::cos(a),
                              t.face_y + 0.8 * t.face_ry * rho * std::sin(a), r.uniform(0.007, 0.013),
                              r.uniform(40, 80)});
    }
    for (auto& g : t.texture) {
        const double wavelength = r.uniform(3.5, 5.5) / 108.0, angle = r.uniform(0, std::numbers::pi);
        const double k = 2 * std::numbers::pi / wavelength;
        g = {k * std::cos(angle), k * std::sin(angle), r.uniform(0, 2 * std::numbers::pi), r.uniform(9, 15)};
    }
    return t;
}

inline image synthetic_faces::render(std::int64_t identity, std::int64_t index) const {
    const identity_traits t = traits(identity);
    seeded_random r(seeded_random::mix(seeded_random::mix(seed_ + 17) ^ std::uint64_t(identity)) ^
                    seeded_random::mix(std::uint64_t(index) * 0x632be59bd9b4e019ULL + 3));
    const double n = options_.nuisance;
    const double angle = n * r.uniform(-2.5, 2.5) * std::numbers::pi / 180,
                 zoom = 1 + n * r.uniform(-0.025, 0.025);
    const double shift_x = n * r.uniform(-1, 1) / 108, shift_y = n * r.uniform(-1, 1) / 108;
    const double gain = 1 + n * r.uniform(-0.3, 0.3), light_dir = r.uniform(0, 2 * std::numbers::pi);
    const double light_slope = n * r.uniform(0, 0.6);
    const rgb cast{1 + n * r.uniform(-0.1, 0.1), 1 + n * r.uniform(-0.1, 0.1), 1 + n * r.uniform(-0.1, 0.1)};
    const double smile = n * r.uniform(-0.02, 0.03), mouth_open = n * r.uniform(0, 0.012);
    const double eye_open = 1 - n * r.uniform(0, 0.4);
    const rgb background{r.uniform(20, 235), r.uniform(20, 235), r.uniform(20, 235)};
    const double bg_slope = r.uniform(-80, 80);

    const int height = options_.height, width = options_.width;
    image img = make_image(height, width);
    const double px = 1.0 / width; // one pixel in face units
    const double ca = std::cos(angle) / zoom, sa = std::sin(angle) / zoom;
    auto blend = [](rgb& c, const rgb& top, double alpha) {
        c = {c.r + alpha * (top.r - c.r), c.g + alpha * (top.g - c.g), c.b + alpha * (top.b - c.b)};
    };
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const double ix = (x + 0.5 - width / 2.0) * px, iy = (y + 0.5 - height / 2.0) * px;
            const double u = ca * (ix - shift_x) + sa * (iy - shift_y);
            const double v = -sa * (ix - shift_x) + ca * (iy - shift_y);
            const double fpx = px / zoom;
            rgb c{background.r + bg_slope * iy, background.g + bg_slope * iy, background.b + bg_slope * iy};
            // hair: a larger ellipse behind the face, above the hairline outside the face
            const double fy = v - t.face_y;
            const double taper = 1 - t.chin_taper * std::clamp(fy / t.face_ry, 0.0, 1.0);
            const double hair_d =
                detail::ellipse_distance(u, fy + 0.03, t.face_rx * t.hair_volume, t.face_ry * t.hair_volume);
            if (v < t.face_y + 0.1) blend(c, t.hair, detail::coverage(hair_d, fpx));
            const double face_d =
                detail::ellipse_distance(u / std::max(taper, 0.3), fy, t.face_rx, t.face_ry);
            const double face_cov = detail::coverage(face_d, fpx);
            if (face_cov > 0) {
                rgb skin = t.skin;
                double detail_shift = 0;
                for (const auto& g : t.texture)
                    detail_shift += g.amplitude * std::sin(g.kx * u + g.ky * v + g.phase);
                for (const auto& f : t.freckles) {
                    const double d2 = (u - f.x) * (u - f.x) + (v - f.y) * (v - f.y);
                    if (d2 < 4 * f.radius * f.radius)
                        detail_shift -= f.depth * std::exp(-d2 / (f.radius * f.radius));
                }
                skin = {skin.r + detail_shift, skin.g + detail_shift * 0.8, skin.b + detail_shift * 0.7};
                // forehead hair above the hairline
                const double hairline = t.hairline + 0.03 * std::cos(u * 9);
                rgb top = skin;
                blend(top, t.hair, detail::coverage(v - hairline, fpx));
                // eyebrows, eyes, nose, mouth
                for (int side = -1; side <= 1; side += 2) {
                    const double ex = u - side * t.eye_dx, ey = v - t.eye_y;
                    const double bx = ex / t.brow_length, by = ey + t.brow_gap + t.brow_arch * (1 - bx * bx) -
                                                               side * t.brow_tilt * ex * 0.3;
                    if (std::abs(bx) < 1)
                        blend(top, t.brow, detail::coverage(std::abs(by) - t.brow_thickness, fpx));
                    const double eye_d = detail::ellipse_distance(ex, ey, t.eye_rx, t.eye_ry * eye_open);
                    const double eye_cov = detail::coverage(eye_d, fpx);
                    if (eye_cov > 0) {
                        rgb eye{235, 232, 225};
                        blend(eye, t.iris, detail::coverage(std::hypot(ex, ey) - t.iris_r, fpx));
                        blend(eye, rgb{15, 12, 12},
                              detail::coverage(std::hypot(ex, ey) - t.iris_r * 0.45, fpx));
                        blend(top, eye, eye_cov);
                    }
                }
                const double nose_v = v - t.eye_y;
                if (nose_v > 0 && nose_v < t.nose_length) {
                    const double ridge = std::exp(-(u * u) / (t.nose_width * t.nose_width * 0.1));
                    const double tip = nose_v / t.nose_length;
                    const double shade = 25 * tip * tip *
                                         std::exp(-(u - 0.6 * t.nose_width) * (u - 0.6 * t.nose_width) /
                                                  (t.nose_width * t.nose_width * 0.2));
                    top = {top.r + 12 * ridge - shade, top.g + 12 * ridge - shade,
                           top.b + 12 * ridge - shade};
                }
                for (int side = -1; side <= 1; side += 2) {
                    const double nx = u - side * t.nose_width * 0.6, ny = v - (t.eye_y + t.nose_length);
                    blend(top, rgb{40, 25, 20},
                          0.7 * detail::coverage(detail::ellipse_distance(nx, ny, 0.012, 0.007), fpx));
                }
                const double mx = u / t.mouth_width, my = v - t.mouth_y + smile * (1 - mx * mx);
                if (std::abs(mx) < 1) {
                    const double half = t.lip_thickness * std::sqrt(1 - mx * mx) + mouth_open;
                    blend(top, t.lips, detail::coverage(std::abs(my) - half, fpx));
                    blend(top, rgb{50, 20, 20},
                          detail::coverage(std::abs(my) - mouth_open * 0.8, fpx) *
                              (mouth_open > 0.002 ? 1.0 : 0.0));
                }
                blend(c, top, face_cov);
            }
            const double light =
                gain * (1 + light_slope * (std::cos(light_dir) * ix + std::sin(light_dir) * iy));
            const double noise = options_.noise_sigma;
            img(y, x, 0) = float(std::clamp(c.r * light * cast.r + noise * r.normal(), 0.0, 255.0));
            img(y, x, 1) = float(std::clamp(c.g * light * cast.g + noise * r.normal(), 0.0, 255.0));
            img(y, x, 2) = float(std::clamp(c.b * light * cast.b + noise * r.normal(), 0.0, 255.0));
        }
    return img;
}

} // namespace jhr::data
