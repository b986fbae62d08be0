#include "jhr/train/setting.hpp"

#include <doctest/doctest.h>

TEST_CASE("setting: names round trip, unknown names are errors") {
    for (auto s : {jhr::setting::srnet, jhr::setting::hr, jhr::setting::lr, jhr::setting::hallucinated,
                   jhr::setting::joint})
        CHECK(jhr::parse_setting(jhr::to_string(s)) == s);
    CHECK_THROWS_WITH_AS(jhr::parse_setting("hd"), doctest::Contains("hd"), jhr::error);
}

TEST_CASE("crop_border: removes the border SRNET loses") {
    jhr::host_tensor x = jhr::host_tensor::from_shape({1, 1, 5, 4});
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = float(i);
    const auto c = jhr::crop_border(x, 1);
    REQUIRE(c.shape(2) == 3);
    REQUIRE(c.shape(3) == 2);
    CHECK(c(0, 0, 0, 0) == 5.0f);  // x(0, 0, 1, 1)
    CHECK(c(0, 0, 2, 1) == 14.0f); // x(0, 0, 3, 2)
    CHECK_THROWS_AS(jhr::crop_border(x, 2), jhr::shape_error);

    jhr::host_tensor many = jhr::host_tensor::from_shape({2, 3, 7, 6}); // every sample and channel
    for (std::size_t i = 0; i < many.size(); ++i) many.data()[i] = float(i);
    const auto cut = jhr::crop_border(many, 2);
    REQUIRE(cut.shape(2) == 3);
    REQUIRE(cut.shape(3) == 2);
    for (std::size_t n = 0; n < 2; ++n)
        for (std::size_t k = 0; k < 3; ++k)
            for (std::size_t y = 0; y < 3; ++y)
                for (std::size_t v = 0; v < 2; ++v) REQUIRE(cut(n, k, y, v) == many(n, k, y + 2, v + 2));
}
