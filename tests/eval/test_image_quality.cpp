#include "jhr/eval/image_quality.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace jhr::eval;

namespace {

rgb_image constant_image(std::size_t height, std::size_t width, float value) {
    rgb_image image = xt::xtensor<float, 3>::from_shape({height, width, 3});
    image.fill(value);
    return image;
}

// The pair tests/eval/ssim_reference.py builds: 24 x 20 RGB, smooth patterns, stored as float.
std::pair<rgb_image, rgb_image> reference_pair() {
    rgb_image reference = xt::xtensor<float, 3>::from_shape({24, 20, 3});
    rgb_image test = reference;
    for (std::size_t y = 0; y < 24; ++y) {
        for (std::size_t x = 0; x < 20; ++x) {
            for (std::size_t c = 0; c < 3; ++c) {
                const double r = 128.0 + 100.0 * std::sin(0.3 * x + 0.2 * y + c);
                reference(y, x, c) = static_cast<float>(r);
                test(y, x, c) = static_cast<float>(r + 20.0 * std::cos(0.7 * x - 0.4 * y + 2.0 * c));
            }
        }
    }
    return {reference, test};
}

} // namespace

TEST_CASE("psnr of a constant offset of one gray level") {
    const rgb_image a = constant_image(16, 12, 100.0f);
    const rgb_image b = constant_image(16, 12, 101.0f);
    // MSE = 1: 10 log10(255^2) = 48.1308036 dB.
    CHECK(psnr(a, b, 4, image_channels::rgb) == doctest::Approx(48.1308036086791));
    // Y changes by (65.481 + 128.553 + 24.966) / 255 = 219 / 255: 48.1308 - 20 log10(219 / 255) = 49.4527249
    // dB.
    CHECK(psnr(a, b, 4, image_channels::luma) == doctest::Approx(49.45272492055584));
    CHECK(std::isinf(psnr(a, a, 0)));
}

TEST_CASE("psnr shaves the border") {
    rgb_image a = constant_image(12, 12, 50.0f);
    rgb_image b = a;
    b(0, 5, 1) = 200.0f;
    b(11, 11, 0) = 0.0f;
    b(5, 10, 2) = 0.0f; // in the 2-pixel border
    CHECK(std::isinf(psnr(a, b, 2, image_channels::rgb)));
    // Unshaved, the squared error 150^2 + 50^2 + 50^2 is spread over 12 * 12 * 3 values.
    const double mse = (150.0 * 150.0 + 50.0 * 50.0 + 50.0 * 50.0) / (12.0 * 12.0 * 3.0);
    CHECK(psnr(a, b, 0, image_channels::rgb) == doctest::Approx(10.0 * std::log10(255.0 * 255.0 / mse)));
}

TEST_CASE("psnr and ssim agree with the numpy reference") {
    // Values printed by /usr/bin/python3 tests/eval/ssim_reference.py (numpy, 2-D windows).
    const auto [reference, test] = reference_pair();
    CHECK(psnr(reference, test, 2, image_channels::luma) == doctest::Approx(33.444723333573).epsilon(1e-9));
    CHECK(psnr(reference, test, 2, image_channels::rgb) == doctest::Approx(25.121811152356).epsilon(1e-9));
    CHECK(ssim(reference, test, 2, image_channels::luma) == doctest::Approx(0.980233385681).epsilon(1e-9));
    CHECK(ssim(reference, test, 2, image_channels::rgb) == doctest::Approx(0.920458451467).epsilon(1e-9));
}

TEST_CASE("ssim of identical images is 1") {
    const auto [reference, test] = reference_pair();
    CHECK(ssim(reference, reference, 0) == doctest::Approx(1.0));
    CHECK(ssim(test, test, 4, image_channels::rgb) == doctest::Approx(1.0));
}

TEST_CASE("set means are means of per-image values") {
    const auto [reference, test] = reference_pair();
    const std::vector<rgb_image> references = {reference, reference};
    const std::vector<rgb_image> tests = {test, reference + 1.0f};
    const double expected_psnr =
        (psnr(reference, test, 2) + psnr(reference, rgb_image(reference + 1.0f), 2)) / 2.0;
    CHECK(mean_psnr(references, tests, 2) == doctest::Approx(expected_psnr));
    const double expected_ssim =
        (ssim(reference, test, 2) + ssim(reference, rgb_image(reference + 1.0f), 2)) / 2.0;
    CHECK(mean_ssim(references, tests, 2) == doctest::Approx(expected_ssim));
    CHECK_THROWS_AS(mean_psnr(references, {test}, 2), jhr::shape_error);
    CHECK_THROWS_AS(mean_psnr({}, {}, 2), jhr::shape_error);
}

TEST_CASE("image metrics check shapes and values") {
    const rgb_image a = constant_image(12, 12, 1.0f);
    CHECK_THROWS_AS(psnr(a, constant_image(12, 10, 1.0f), 0), jhr::shape_error);
    CHECK_THROWS_AS(psnr(a, a, 6), jhr::shape_error);
    CHECK_THROWS_AS(ssim(a, a, 1), jhr::shape_error); // 10 x 10 left, window is 11 x 11
    rgb_image gray = xt::xtensor<float, 3>::from_shape({12, 12, 1});
    CHECK_THROWS_AS(psnr(gray, gray, 0), jhr::shape_error);
    rgb_image bad = a;
    bad(3, 3, 0) = std::nanf("");
    CHECK_THROWS_AS(psnr(a, bad, 0), jhr::error);
}
