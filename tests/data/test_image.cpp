#include "jhr/io/image.hpp"

#include "support/lfw_dir.hpp"

#include <doctest/doctest.h>

#include <fstream>

namespace {

jhr::image gradient(int h, int w) {
    jhr::image img = jhr::make_image(h, w);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            img(y, x, 0) = float(10 * x);
            img(y, x, 1) = float(20 * y);
            img(y, x, 2) = float((x * y) % 256);
        }
    return img;
}

std::vector<std::uint8_t> png_bytes(int channels, const std::vector<std::uint8_t>& pixels, int w, int h) {
    std::vector<std::uint8_t> out;
    stbi_write_png_to_func(
        [](void* c, void* d, int n) {
            auto* o = static_cast<std::vector<std::uint8_t>*>(c);
            o->insert(o->end(), static_cast<std::uint8_t*>(d), static_cast<std::uint8_t*>(d) + n);
        },
        &out, w, h, channels, pixels.data(), w * channels);
    return out;
}

} // namespace

TEST_CASE("PNG round trip preserves 8-bit RGB values") {
    const jhr::image img = gradient(5, 7);
    const jhr::image back = jhr::decode_image(jhr::encode_png(img));
    REQUIRE(back.shape(0) == 5);
    REQUIRE(back.shape(1) == 7);
    REQUIRE(back.shape(2) == 3);
    CHECK(back == img);
}

TEST_CASE("write_png rounds and clamps") {
    jhr::image img = jhr::make_image(1, 3);
    img(0, 0, 0) = -20.0f;
    img(0, 1, 0) = 300.0f;
    img(0, 2, 0) = 99.6f;
    const jhr::image back = jhr::decode_image(jhr::encode_png(img));
    CHECK(back(0, 0, 0) == 0.0f);
    CHECK(back(0, 1, 0) == 255.0f);
    CHECK(back(0, 2, 0) == 100.0f);
}

TEST_CASE("gray, gray+alpha and RGBA decode to RGB") {
    const auto gray = jhr::decode_image(png_bytes(1, {7, 200}, 2, 1));
    CHECK(gray(0, 1, 0) == 200.0f);
    CHECK(gray(0, 1, 1) == 200.0f);
    CHECK(gray(0, 1, 2) == 200.0f);
    const auto ga = jhr::decode_image(png_bytes(2, {50, 0, 60, 255}, 2, 1));
    CHECK(ga(0, 0, 2) == 50.0f);
    CHECK(ga(0, 1, 0) == 60.0f);
    const auto rgba = jhr::decode_image(png_bytes(4, {1, 2, 3, 0, 4, 5, 6, 128}, 2, 1));
    CHECK(rgba(0, 1, 0) == 4.0f);
    CHECK(rgba(0, 1, 2) == 6.0f);
}

TEST_CASE("bad files throw io_error naming the file") {
    const auto dir = scratch_dir("image");
    CHECK_THROWS_WITH_AS(jhr::read_image(dir / "missing.png"), doctest::Contains("missing.png"),
                         jhr::io_error);
    { std::ofstream(dir / "empty.png"); }
    CHECK_THROWS_WITH_AS(jhr::read_image(dir / "empty.png"), doctest::Contains("0 bytes"), jhr::io_error);
    const auto png = jhr::encode_png(gradient(16, 16));
    {
        std::ofstream out(dir / "truncated.png", std::ios::binary);
        out.write(reinterpret_cast<const char*>(png.data()), std::streamsize(png.size() / 2));
    }
    CHECK_THROWS_WITH_AS(jhr::read_image(dir / "truncated.png"), doctest::Contains("truncated.png"),
                         jhr::io_error);
    { std::ofstream(dir / "text.jpg") << "this is not an image"; }
    CHECK_THROWS_WITH_AS(jhr::read_image(dir / "text.jpg"), doctest::Contains("cannot decode"),
                         jhr::io_error);
    CHECK_THROWS_AS(jhr::write_png(dir / "no_such_dir" / "x.png", gradient(2, 2)), jhr::io_error);
    CHECK_THROWS_AS(jhr::encode_png(jhr::image::from_shape({2, 2, 1})), jhr::shape_error);
}

TEST_CASE("reads an LFW JPEG") {
    const auto root = lfw_dir();
    if (root.empty()) {
        MESSAGE("skipped: LFW data not found (set JHR_LFW_DIR)");
        return;
    }
    const auto img =
        jhr::read_image(root / "images_deepfunneled" / "Aaron_Eckhart" / "Aaron_Eckhart_0001.jpg");
    CHECK(img.shape(0) == 250);
    CHECK(img.shape(1) == 250);
    CHECK(img.shape(2) == 3);
}
