#include "jhr/experiments/face_sheet.hpp"

#include <doctest/doctest.h>

using namespace jhr;
using namespace jhr::experiments;

namespace {
image filled(int h, int w, float v) {
    image img = make_image(h, w);
    img.fill(v);
    return img;
}
} // namespace

TEST_CASE("face_sheet: size, column order and pixel-replicated LR") {
    face_samples s{filled(2, 2, 0), filled(8, 6, 20), filled(8, 6, 30), filled(8, 6, 40), filled(8, 6, 50)};
    s.lr(0, 1, 0) = 10; // top-right LR pixel
    const image sheet = face_sheet({s, s}, 4);
    // Height 4 + 2 * (8 + 4) = 28, width 4 + 5 * (6 + 4) = 54.
    CHECK(image_height(sheet) == 28);
    CHECK(image_width(sheet) == 54);
    CHECK(sheet(0, 0, 0) == 255.0f); // frame
    // LR 2x2 enlarged by 4 to 8x8, centre 8x6 cut (columns 1..6): the top-right 4x4 block is 10.
    CHECK(sheet(4, 4 + 2, 0) == 0.0f);
    CHECK(sheet(4, 4 + 3, 0) == 10.0f);
    CHECK(sheet(4 + 3, 4 + 5, 0) == 10.0f);
    CHECK(sheet(4 + 4, 4 + 5, 0) == 0.0f);
    for (int c = 1; c < 5; ++c) CHECK(sheet(4 + 12, 4 + c * 10 + 2, 1) == float(10 + 10 * c));
}

TEST_CASE("face_sheet: refuses no samples and mismatched sizes") {
    CHECK_THROWS_AS(face_sheet({}), shape_error);
    face_samples s{filled(2, 2, 0), filled(8, 6, 0), filled(8, 5, 0), filled(8, 6, 0), filled(8, 6, 0)};
    CHECK_THROWS_AS(face_sheet({s}), shape_error);
}
