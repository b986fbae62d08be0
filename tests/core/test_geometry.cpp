#include "jhr/core/geometry.hpp"

#include <doctest/doctest.h>

TEST_CASE("geometry: convolution output sizes follow (H + 2p - k) / s + 1") {
    // SRNET's 9x9 pad-0 convolution shrinks a 124x108 face by 8 pixels.
    const jhr::conv2d_geometry sr{16, 3, 124, 108, 64, 9, 1, 0};
    CHECK(sr.output() == jhr::shape{16, 64, 116, 100});
    CHECK(sr.weight() == jhr::shape{64, 3, 9, 9});
    const jhr::conv2d_geometry strided{1, 1, 7, 8, 2, 3, 2, 1};
    CHECK(strided.out_height() == 4);
    CHECK(strided.out_width() == 4);
}

TEST_CASE("geometry: pooling floors odd sizes") {
    const jhr::pool2d_geometry p{1, 64, 57, 49, 2, 2};
    CHECK(p.output() == jhr::shape{1, 64, 28, 24});
}
