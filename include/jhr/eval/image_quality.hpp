// jhr/eval/image_quality.hpp: PSNR and SSIM of hallucinated faces against their ground truth.
//
// Images are xt::xtensor<float, 3> in HWC layout, RGB, values on the 0..255 scale (not clamped or
// rounded here). Both metrics first shave `shave` pixels off every border (pass the scale factor,
// 4 in the paper, as super-resolution evaluations do), then compare:
//   image_channels::luma (default): Y of ITU-R BT.601, Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255
//     for R, G, B in 0..255, so Y in [16, 235]: MATLAB rgb2ycbcr's formula applied to double input.
//     Y is not rounded (MATLAB rounds when given uint8 images, which changes PSNR by ~0.01-0.05 dB).
//   image_channels::rgb: all three channels.
// PSNR = 10 log10(255^2 / MSE), MSE over every compared value of one image; the peak is 255 for Y too.
//   Identical images give +infinity.
// SSIM (Wang, Bovik, Sheikh, Simoncelli 2004): 11x11 Gaussian window, sigma 1.5, normalised to sum 1,
//   applied where it fits entirely inside the image ("valid", as their ssim_index.m), K1 = 0.01,
//   K2 = 0.03, L = 255, the mean of the SSIM map; for rgb, the mean of the three channels' SSIM. No
//   automatic down-sampling (their later ssim.m down-samples images larger than 256 pixels on a side).
// Set means are the unweighted means of the per-image values.
#pragma once

#include "jhr/core/error.hpp"

#include <Eigen/Dense>
#include <xtensor/xtensor.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace jhr::eval {

enum class image_channels { luma, rgb };

using rgb_image = xt::xtensor<float, 3>;

// Throws shape_error unless both are H x W x 3 of equal shape and larger than 2 * shave (SSIM also
// needs at least 11 x 11 after shaving); jhr::error on a non-finite value.
inline double psnr(const rgb_image& reference, const rgb_image& test, std::size_t shave,
                   image_channels channels = image_channels::luma);
inline double ssim(const rgb_image& reference, const rgb_image& test, std::size_t shave,
                   image_channels channels = image_channels::luma);

// Means over image lists of equal length (shape_error otherwise, or when empty).
inline double mean_psnr(const std::vector<rgb_image>& references, const std::vector<rgb_image>& tests,
                        std::size_t shave, image_channels channels = image_channels::luma);
inline double mean_ssim(const std::vector<rgb_image>& references, const std::vector<rgb_image>& tests,
                        std::size_t shave, image_channels channels = image_channels::luma);

// ---------------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------------

namespace detail {

inline std::string shape_text(const rgb_image& image) {
    return std::string("[") + std::to_string(image.shape(0)) + ", " + std::to_string(image.shape(1)) + ", " +
           std::to_string(image.shape(2)) + "]";
}

// The planes to compare (one for luma, three for rgb), shaved, in double precision.
inline std::vector<Eigen::MatrixXd> compared_planes(const rgb_image& image, std::size_t shave,
                                                    image_channels channels) {
    const std::size_t height = image.shape(0) - 2 * shave;
    const std::size_t width = image.shape(1) - 2 * shave;
    std::vector<Eigen::MatrixXd> planes(
        channels == image_channels::luma ? 1 : 3,
        Eigen::MatrixXd(static_cast<Eigen::Index>(height), static_cast<Eigen::Index>(width)));
    for (std::size_t y = 0; y < height; ++y) {
        for (std::size_t x = 0; x < width; ++x) {
            const double r = image(y + shave, x + shave, 0);
            const double g = image(y + shave, x + shave, 1);
            const double b = image(y + shave, x + shave, 2);
            const auto row = static_cast<Eigen::Index>(y);
            const auto col = static_cast<Eigen::Index>(x);
            if (channels == image_channels::luma) {
                planes[0](row, col) = 16.0 + (65.481 * r + 128.553 * g + 24.966 * b) / 255.0;
            } else {
                planes[0](row, col) = r, planes[1](row, col) = g, planes[2](row, col) = b;
            }
        }
    }
    return planes;
}

inline void check_images(const rgb_image& reference, const rgb_image& test, std::size_t shave,
                         std::size_t minimum_side, const char* what) {
    if (reference.shape() != test.shape() || reference.shape(2) != 3 ||
        reference.shape(0) < 2 * shave + minimum_side || reference.shape(1) < 2 * shave + minimum_side) {
        throw shape_error(where(std::string(what) + ": images " + shape_text(reference) + " and " +
                                shape_text(test) + " must be equal H x W x 3 with H, W >= 2 * shave (" +
                                std::to_string(shave) + ") + " + std::to_string(minimum_side)));
    }
    for (const rgb_image* image : {&reference, &test}) {
        for (float v : *image) {
            if (!std::isfinite(v)) throw error(where(std::string(what) + ": image has a non-finite value"));
        }
    }
}

// Valid-region correlation with a separable kernel (symmetric, so correlation = convolution).
inline Eigen::MatrixXd filter_valid(const Eigen::MatrixXd& plane, const Eigen::VectorXd& kernel) {
    const Eigen::Index k = kernel.size();
    Eigen::MatrixXd rows_done = Eigen::MatrixXd::Zero(plane.rows() - k + 1, plane.cols());
    for (Eigen::Index i = 0; i < k; ++i) rows_done += kernel(i) * plane.middleRows(i, rows_done.rows());
    Eigen::MatrixXd result = Eigen::MatrixXd::Zero(rows_done.rows(), plane.cols() - k + 1);
    for (Eigen::Index i = 0; i < k; ++i) result += kernel(i) * rows_done.middleCols(i, result.cols());
    return result;
}

inline double ssim_plane(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y) {
    constexpr int window = 11;
    constexpr double sigma = 1.5;
    Eigen::VectorXd kernel(window);
    for (int i = 0; i < window; ++i) kernel(i) = std::exp(-((i - 5.0) * (i - 5.0)) / (2.0 * sigma * sigma));
    kernel /= kernel.sum();
    const double c1 = (0.01 * 255.0) * (0.01 * 255.0);
    const double c2 = (0.03 * 255.0) * (0.03 * 255.0);

    const Eigen::ArrayXXd mu_x = filter_valid(x, kernel).array();
    const Eigen::ArrayXXd mu_y = filter_valid(y, kernel).array();
    const Eigen::ArrayXXd var_x = filter_valid(x.cwiseProduct(x), kernel).array() - mu_x.square();
    const Eigen::ArrayXXd var_y = filter_valid(y.cwiseProduct(y), kernel).array() - mu_y.square();
    const Eigen::ArrayXXd cov_xy = filter_valid(x.cwiseProduct(y), kernel).array() - mu_x * mu_y;
    const Eigen::ArrayXXd map = ((2.0 * mu_x * mu_y + c1) * (2.0 * cov_xy + c2)) /
                                ((mu_x.square() + mu_y.square() + c1) * (var_x + var_y + c2));
    return map.mean();
}

template <typename Metric>
double mean_over(const std::vector<rgb_image>& references, const std::vector<rgb_image>& tests,
                 const char* what, Metric metric) {
    if (references.size() != tests.size() || references.empty()) {
        throw shape_error(where(std::string(what) + ": " + std::to_string(references.size()) +
                                " reference and " + std::to_string(tests.size()) +
                                " test images; need equal, non-zero counts"));
    }
    double sum = 0.0;
    for (std::size_t i = 0; i < references.size(); ++i) sum += metric(references[i], tests[i]);
    return sum / static_cast<double>(references.size());
}

} // namespace detail

inline double psnr(const rgb_image& reference, const rgb_image& test, std::size_t shave,
                   image_channels channels) {
    detail::check_images(reference, test, shave, 1, "psnr");
    const std::vector<Eigen::MatrixXd> a = detail::compared_planes(reference, shave, channels);
    const std::vector<Eigen::MatrixXd> b = detail::compared_planes(test, shave, channels);
    double squared_error = 0.0;
    double count = 0.0;
    for (std::size_t c = 0; c < a.size(); ++c) {
        squared_error += (a[c] - b[c]).squaredNorm();
        count += static_cast<double>(a[c].size());
    }
    if (squared_error == 0.0) return std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(255.0 * 255.0 / (squared_error / count));
}

inline double ssim(const rgb_image& reference, const rgb_image& test, std::size_t shave,
                   image_channels channels) {
    detail::check_images(reference, test, shave, 11, "ssim");
    const std::vector<Eigen::MatrixXd> a = detail::compared_planes(reference, shave, channels);
    const std::vector<Eigen::MatrixXd> b = detail::compared_planes(test, shave, channels);
    double sum = 0.0;
    for (std::size_t c = 0; c < a.size(); ++c) sum += detail::ssim_plane(a[c], b[c]);
    return sum / static_cast<double>(a.size());
}

inline double mean_psnr(const std::vector<rgb_image>& references, const std::vector<rgb_image>& tests,
                        std::size_t shave, image_channels channels) {
    return detail::mean_over(references, tests, "mean_psnr", [&](const rgb_image& r, const rgb_image& t) {
        return psnr(r, t, shave, channels);
    });
}

inline double mean_ssim(const std::vector<rgb_image>& references, const std::vector<rgb_image>& tests,
                        std::size_t shave, image_channels channels) {
    return detail::mean_over(references, tests, "mean_ssim", [&](const rgb_image& r, const rgb_image& t) {
        return ssim(r, t, shave, channels);
    });
}

} // namespace jhr::eval
