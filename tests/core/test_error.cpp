#include "jhr/core/error.hpp"

#include <doctest/doctest.h>

TEST_CASE("error: every kind is a jhr::error") {
    CHECK_THROWS_AS(throw jhr::shape_error("s"), jhr::error);
    CHECK_THROWS_AS(throw jhr::io_error("i"), jhr::error);
    CHECK_THROWS_AS(throw jhr::backend_error("b"), jhr::error);
    CHECK_THROWS_AS(throw jhr::protocol_error("p"), jhr::error);
}

TEST_CASE("error: where() prefixes the source location") {
    const std::string m = jhr::where("bad thing");
    CHECK(m.find("test_error.cpp:") != std::string::npos);
    CHECK(m.find("bad thing") != std::string::npos);
}
