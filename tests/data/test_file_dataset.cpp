#include "jhr/data/file_dataset.hpp"

#include "support/lfw_dir.hpp"

#include <doctest/doctest.h>

#include <sstream>

TEST_CASE("identity folders: sorted names, labels 0..K-1, empty folders skipped") {
    const auto dir = scratch_dir("folders");
    for (const char* d : {"zed", "amy", "empty"}) std::filesystem::create_directories(dir / d);
    for (const char* f : {"zed/b.png", "zed/a.jpg", "amy/1.JPG", "amy/readme.txt"})
        std::ofstream(dir / f) << "x";
    const auto ds = jhr::data::scan_identity_folders(dir);
    REQUIRE(ds.identities.size() == 2);
    CHECK(ds.identities[0] == "amy");
    REQUIRE(ds.samples.size() == 3);
    CHECK(ds.samples[0].label == 0);
    CHECK(ds.samples[1].path.filename() == "a.jpg");
    CHECK(ds.samples[2].label == 1);
    CHECK_THROWS_AS(jhr::data::scan_identity_folders(dir / "nope"), jhr::io_error);
}

TEST_CASE("list files: 'path label', relative to root, paths may hold spaces") {
    std::istringstream in("a/x.jpg 3\n\nmy dir/y.png\t0\r\n/abs/z.png 7\n");
    const auto ds = jhr::data::parse_list_file(in, "list.txt", "/data");
    REQUIRE(ds.samples.size() == 3);
    CHECK(ds.samples[0].path == "/data/a/x.jpg");
    CHECK(ds.samples[0].label == 3);
    CHECK(ds.samples[1].path == "/data/my dir/y.png");
    CHECK(ds.samples[2].path == "/abs/z.png");
    std::istringstream bad("a.jpg 1\nb.jpg\n");
    CHECK_THROWS_WITH_AS(jhr::data::parse_list_file(bad, "list.txt"), doctest::Contains("list.txt:2:"),
                         jhr::protocol_error);
    std::istringstream negative("a.jpg -1\n");
    CHECK_THROWS_AS(jhr::data::parse_list_file(negative, "list.txt"), jhr::protocol_error);
}
