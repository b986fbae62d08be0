#include "jhr/losses/reduction.hpp"

#include <doctest/doctest.h>

TEST_CASE("reduction: scale and parsing") {
    CHECK(jhr::reduction_scale(jhr::reduction::sum, 8) == 1.0f);
    CHECK(jhr::reduction_scale(jhr::reduction::mean, 8) == 0.125f);
    CHECK(jhr::parse_reduction("mean") == jhr::reduction::mean);
    CHECK_THROWS_AS(jhr::parse_reduction("avg"), jhr::error);
}
