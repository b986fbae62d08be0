#include "jhr/data/youtube_faces.hpp"

#include "support/lfw_dir.hpp"

#include <doctest/doctest.h>

#include <sstream>

namespace {

std::vector<jhr::data::video_pair> parse_splits(const std::string& text) {
    std::istringstream in(text);
    return jhr::data::parse_youtube_faces_splits(in, "splits.txt");
}

} // namespace

TEST_CASE("splits.txt rows") {
    const auto p = parse_splits("split number, 1st video, 2nd video, label, is same\n"
                                "1, Aaron_Eckhart/0, Aaron_Eckhart/1, 1, 1\n2,A/3,B/0,0,0\n");
    REQUIRE(p.size() == 2);
    CHECK(p[0].first == "Aaron_Eckhart/0");
    CHECK(p[0].same);
    CHECK(p[1].split == 2);
    CHECK_FALSE(p[1].same);
    CHECK(p[1].line == 3);
}

TEST_CASE("malformed rows name the line") {
    const std::string head = "header\n";
    CHECK_THROWS_WITH_AS(parse_splits(head + "1, A/0, B/0, 1\n"), doctest::Contains("splits.txt:2:"),
                         jhr::protocol_error);
    CHECK_THROWS_AS(parse_splits(head + "1, A, B/0, 1, 1\n"), jhr::protocol_error);
    CHECK_THROWS_AS(parse_splits(head + "1, A/0, B/0, 2, 1\n"), jhr::protocol_error);
    CHECK_THROWS_AS(parse_splits(head + "0, A/0, B/0, 1, 1\n"), jhr::protocol_error);
    CHECK_THROWS_AS(parse_splits(""), jhr::protocol_error);
}

TEST_CASE("video frames are the sorted images of a folder") {
    const auto dir = scratch_dir("ytf");
    std::filesystem::create_directories(dir / "A" / "0");
    for (const char* f : {"2.jpg", "1.jpg", "notes.txt"}) std::ofstream(dir / "A" / "0" / f) << "x";
    const auto frames = jhr::data::video_frames(dir, "A/0");
    REQUIRE(frames.size() == 2);
    CHECK(frames[0].filename() == "1.jpg");
    CHECK_THROWS_AS(jhr::data::video_frames(dir, "A/1"), jhr::io_error);
}
