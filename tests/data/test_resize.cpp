#include "jhr/data/resize.hpp"

#include <doctest/doctest.h>

#include <cmath>

// Golden values from an independent dense-matrix numpy implementation of MATLAB's imresize
// (contributions(), cubic a = -0.5, antialiased kernel h(t) = s*cubic(s*t) when s < 1, weights
// normalised, symmetric border aux = [1:n, n:-1:1]), run with /usr/bin/python3, numpy 1.24:
//   def matrix(n_in, n_out, s):
//       kw = 4/s if s < 1 else 4; M = zeros((n_out, n_in))
//       for x in 1..n_out: u = x/s + 0.5*(1-1/s); idx = floor(u-kw/2) + arange(ceil(kw)+2)
//           w = s*cubic(s*(u-idx)) if s < 1 else cubic(u-idx); w /= w.sum()
//           j = aux[mod(idx-1, 2*n_in)]; M[x-1, j] += w
//   imresize(A) = matrix(rows) @ A @ matrix(cols).T
// with A[i][j] = (6i + j)^1.5 mod 97 (8x6) and B = [[10, 200, 35], [90, 0, 255]].
namespace {

jhr::image single_channel(int h, int w) {
    return jhr::image::from_shape({std::size_t(h), std::size_t(w), 1});
}

} // namespace

TEST_CASE("4x antialiased down-sampling matches MATLAB imresize") {
    jhr::image a = single_channel(8, 6);
    for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 6; ++j) a(i, j, 0) = float(std::fmod(std::pow(6.0 * i + j, 1.5), 97.0));
    const jhr::image d = jhr::resize_bicubic(a, 0.25, 0.25);
    REQUIRE(d.shape(0) == 2);
    REQUIRE(d.shape(1) == 2);
    CHECK(d(0, 0, 0) == doctest::Approx(32.7476675616).epsilon(1e-5));
    CHECK(d(0, 1, 0) == doctest::Approx(34.8665648667).epsilon(1e-5));
    CHECK(d(1, 0, 0) == doctest::Approx(52.2577792139).epsilon(1e-5));
    CHECK(d(1, 1, 0) == doctest::Approx(39.0720117402).epsilon(1e-5));
}

TEST_CASE("4x up-sampling matches MATLAB imresize") {
    jhr::image b = single_channel(2, 3);
    const float values[6] = {10, 200, 35, 90, 0, 255};
    for (int i = 0; i < 6; ++i) b(i / 3, i % 3, 0) = values[i];
    const jhr::image u = jhr::resize_bicubic(b, 8, 12);
    REQUIRE(u.shape(0) == 8);
    REQUIRE(u.shape(1) == 12);
    CHECK(u(0, 0, 0) == doctest::Approx(-25.4858398438).epsilon(1e-5));
    CHECK(u(0, 5, 0) == doctest::Approx(214.9754333496).epsilon(1e-5));
    CHECK(u(3, 7, 0) == doctest::Approx(130.8392333984).epsilon(1e-5));
    CHECK(u(5, 4, 0) == doctest::Approx(23.6874771118).epsilon(1e-5));
    CHECK(u(7, 11, 0) == doctest::Approx(316.4318847656).epsilon(1e-5));
}

TEST_CASE("degrade gives 31x27 LR and 124x108 upscaled faces, constant images stay constant") {
    jhr::image hr = jhr::make_image(124, 108);
    hr.fill(77.0f);
    const jhr::image lr = jhr::degrade(hr, 4, false);
    CHECK(lr.shape(0) == 31);
    CHECK(lr.shape(1) == 27);
    const jhr::image up = jhr::degrade(hr, 4, true);
    CHECK(up.shape(0) == 124);
    CHECK(up.shape(1) == 108);
    for (float v : up) REQUIRE(v == doctest::Approx(77.0f).epsilon(1e-5));
    CHECK_THROWS_AS(jhr::degrade(hr, 0, false), jhr::shape_error);
    CHECK_THROWS_AS(jhr::resize_bicubic(hr, 0, 5), jhr::shape_error);
}

TEST_CASE("normalise, denormalise and flip") {
    jhr::image img = jhr::make_image(1, 2);
    img(0, 0, 0) = 0.0f;
    img(0, 1, 0) = 255.0f;
    const jhr::image n = jhr::normalise(img);
    CHECK(n(0, 0, 0) == doctest::Approx(-127.5 / 128));
    CHECK(n(0, 1, 0) == doctest::Approx(127.5 / 128));
    CHECK(jhr::denormalise(n)(0, 1, 0) == doctest::Approx(255.0f));
    const jhr::image f = jhr::flip_horizontal(img);
    CHECK(f(0, 0, 0) == 255.0f);
    CHECK(f(0, 1, 0) == 0.0f);
}
