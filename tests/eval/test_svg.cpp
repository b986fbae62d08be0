#include "jhr/eval/svg.hpp"

#include <doctest/doctest.h>

using namespace jhr::eval;

namespace {

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

} // namespace

TEST_CASE("roc_svg draws one polyline and one legend entry per curve") {
    const std::vector<roc_point> a = {{1.0, 0.0, 0.0}, {0.5, 0.001, 0.6}, {0.2, 0.1, 0.9}, {0.0, 1.0, 1.0}};
    const std::vector<roc_point> b = {{1.0, 0.0, 0.0}, {0.5, 0.01, 0.5}, {0.0, 1.0, 1.0}};
    const std::string svg = roc_svg({{"Setting 1 <HR>", a}, {"Setting 6 & joint", b}});
    CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
    CHECK(svg.ends_with("</svg>\n"));
    CHECK(count(svg, "<polyline") == 2);
    CHECK(count(svg, "class=\"legend-label\"") == 2);
    CHECK(svg.find("Setting 1 &lt;HR&gt;") != std::string::npos);
    CHECK(svg.find("Setting 6 &amp; joint") != std::string::npos);
    CHECK(svg.find("True accept rate") != std::string::npos);
    // The first curve has 4 points.
    const std::size_t start = svg.find("points=\"");
    const std::string points = svg.substr(start + 8, svg.find('"', start + 8) - start - 8);
    CHECK(count(points, ",") == 4);
}

TEST_CASE("roc_svg with a logarithmic FAR axis puts ticks on decades") {
    const std::vector<roc_point> curve = {
        {1.0, 0.0, 0.0}, {0.5, 0.001, 0.6}, {0.2, 0.1, 0.9}, {0.0, 1.0, 1.0}};
    const std::string svg = roc_svg({{"a", curve}}, true);
    CHECK(svg.find("(log scale)") != std::string::npos);
    for (const char* tick : {">0.001<", ">0.01<", ">0.1<", ">1<"}) CHECK(svg.find(tick) != std::string::npos);
    CHECK(count(svg, "class=\"tick-label\"") == 4 + 6); // 4 decades on x, 6 linear ticks on y
}

TEST_CASE("loss_svg draws named series over iterations") {
    const std::string svg = loss_svg({{"hallucination", {0, 100, 200}, {3.0, 2.0, 1.5}},
                                      {"center", {0, 100, 200}, {0.5, 0.4, 0.3}},
                                      {"softmax", {0, 200}, {6.0, 1.0}}});
    CHECK(count(svg, "<polyline") == 3);
    CHECK(svg.find(">Iteration<") != std::string::npos);
    // Losses of different heads differ by orders of magnitude: decades 0.1 .. 10 on a log axis.
    CHECK(svg.find(">Loss (log scale)<") != std::string::npos);
    CHECK(count(svg, "class=\"tick-label\"") == 6 + 3);
    CHECK(svg.find(">0.1<") != std::string::npos);
    CHECK(svg.find(">10<") != std::string::npos);
    CHECK(svg.find(">softmax<") != std::string::npos);
    CHECK_THROWS_AS(loss_svg({{"bad", {0, 1}, {1.0}}}), jhr::shape_error);
    CHECK_THROWS_AS(roc_svg({{"zero", {{1.0, 0.0, 0.0}}}}, true), jhr::error);
}
