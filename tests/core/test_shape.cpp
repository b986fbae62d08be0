#include "jhr/core/shape.hpp"

#include <doctest/doctest.h>

TEST_CASE("shape: size, sample size and printing") {
    const jhr::shape s{2, 3, 4, 5};
    CHECK(s.size() == 120);
    CHECK(s.sample_size() == 60);
    CHECK(s.str() == "[2, 3, 4, 5]");
    CHECK(jhr::shape{}.size() == 0);
}

TEST_CASE("shape: expect_shape names both shapes") {
    CHECK_NOTHROW(jhr::expect_shape({1, 2, 3, 4}, {1, 2, 3, 4}, "x"));
    try {
        jhr::expect_shape({1, 2, 3, 4}, {1, 2, 3, 5}, "conv input");
        FAIL("no throw");
    } catch (const jhr::shape_error& e) {
        const std::string m = e.what();
        CHECK(m.find("conv input") != std::string::npos);
        CHECK(m.find("[1, 2, 3, 4]") != std::string::npos);
        CHECK(m.find("[1, 2, 3, 5]") != std::string::npos);
    }
}
