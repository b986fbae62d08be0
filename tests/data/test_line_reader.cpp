#include "jhr/data/line_reader.hpp"

#include <doctest/doctest.h>

#include <sstream>

TEST_CASE("line_reader counts lines, strips CR and skips blanks") {
    std::istringstream in("a b\r\n\n  \nc\td\n");
    jhr::data::line_reader r(in, "f.txt");
    std::string line;
    REQUIRE(r.next_nonblank(line));
    CHECK(line == "a b");
    REQUIRE(r.next_nonblank(line));
    CHECK(line == "c\td");
    CHECK(r.line_number() == 4);
    CHECK_FALSE(r.next_nonblank(line));
    CHECK_THROWS_WITH_AS(r.require("more"), doctest::Contains("f.txt:4: file ends, expected more"),
                         jhr::protocol_error);
}

TEST_CASE("field splitting and strict number parsing") {
    const auto f = jhr::data::line_reader::split_whitespace(" x\t 12  y ");
    REQUIRE(f.size() == 3);
    CHECK(f[1] == "12");
    const auto c = jhr::data::line_reader::split("1, a/0 ,,b", ',');
    REQUIRE(c.size() == 4);
    CHECK(c[1] == "a/0");
    CHECK(c[2].empty());
    std::istringstream in("x\n");
    jhr::data::line_reader r(in, "g.txt");
    std::string line;
    r.next(line);
    CHECK(r.parse_int("42", "n") == 42);
    CHECK_THROWS_WITH_AS(r.parse_int("4x", "n"), doctest::Contains("g.txt:1: n: expected an integer"),
                         jhr::protocol_error);
    CHECK_THROWS_AS(r.parse_int("-1", "n"), jhr::protocol_error);
    CHECK_THROWS_AS(r.parse_int("99999999999", "n"), jhr::protocol_error);
    CHECK(r.parse_double("-1.5e1", "x") == -15.0);
    CHECK_THROWS_AS(r.parse_double("nan", "x"), jhr::protocol_error);
    CHECK_THROWS_AS(r.parse_double("", "x"), jhr::protocol_error);
    CHECK_THROWS_AS(r.parse_name("..", "name"), jhr::protocol_error);
    CHECK_THROWS_AS(r.parse_name("a/b", "name"), jhr::protocol_error);
}
