#include "jhr/data/landmarks.hpp"

#include <doctest/doctest.h>

#include <sstream>

namespace {

std::vector<jhr::data::landmark_entry> parse(const std::string& text, double scale = 1.0) {
    std::istringstream in(text);
    return jhr::data::parse_landmarks(in, "lm.txt", scale);
}

} // namespace

TEST_CASE("tab- or space-separated landmark lines, scaled") {
    const auto e = parse("A/A_0001.jpg\t107\t107\t147\t111\t124\t143\t103\t157\t139\t161\n\nB/B_0001.jpg 1 2 "
                         "3 4 5 6 7 8 9 10\n",
                         0.6);
    REQUIRE(e.size() == 2);
    CHECK(e[0].path == "A/A_0001.jpg");
    CHECK(e[0].points[0].x == doctest::Approx(64.2));
    CHECK(e[0].points[4].y == doctest::Approx(96.6));
    CHECK(e[1].points[2].x == doctest::Approx(3.0));
}

TEST_CASE("wrong coordinate counts and bad numbers name the line") {
    CHECK_THROWS_WITH_AS(parse("A 1 2 3\n"), doctest::Contains("lm.txt:1: expected"), jhr::protocol_error);
    CHECK_THROWS_WITH_AS(parse("A 1 2 3 4 5 6 7 8 9 10\nB 1 2 3 4 5 6 7 8 9 x\n"),
                         doctest::Contains("lm.txt:2:"), jhr::protocol_error);
    CHECK_THROWS_AS(parse("A 1 2 3 4 5 6 7 8 9 10 11\n"), jhr::protocol_error);
    CHECK_THROWS_AS(jhr::data::index_landmarks(parse("A 1 2 3 4 5 6 7 8 9 10\nA 1 2 3 4 5 6 7 8 9 10\n")),
                    jhr::protocol_error);
}
