#include "jhr/train/setting.hpp"

#include <doctest/doctest.h>

TEST_CASE("setting: names round trip, unknown names are errors") {
    for (auto s : {jhr::setting::srnet, jhr::setting::hr, jhr::setting::lr, jhr::setting::hallucinated, jhr::setting::joint})
        CHECK(jhr::parse_setting(jhr::to_string(s)) == s);
    CHECK_THROWS_WITH_AS(jhr::parse_setting("hd"), doctest::Contains("hd"), jhr::error);
}

TEST_CASE("crop_border: removes the border SRNET loses") {
    jhr::host_tensor x = jhr::host_tensor::from_shape({1, 1, 5, 4});
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = float(i);
    const auto c = jhr::crop_border(x, 1);
    REQUIRE(c.shape(2) == 3);
    REQUIRE(c.shape(3) == 2);
    CHECK(c(0, 0, 0, 0) == 5.0f); // x(0, 0, 1, 1)
    CHECK(c(0, 0, 2, 1) == 14.0f); // x(0, 0, 3, 2)
    CHECK_THROWS_AS(jhr::crop_border(x, 2), jhr::shape_error);
}
