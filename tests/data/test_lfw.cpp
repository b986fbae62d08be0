#include "jhr/data/lfw.hpp"

#include "support/lfw_dir.hpp"

#include <doctest/doctest.h>

#include <sstream>

namespace {

jhr::data::lfw_pairs pairs_of(const std::string& text) {
    std::istringstream in(text);
    return jhr::data::parse_lfw_pairs(in, "pairs.txt");
}

jhr::data::lfw_people people_of(const std::string& text) {
    std::istringstream in(text);
    return jhr::data::parse_lfw_people(in, "people.txt");
}

} // namespace

TEST_CASE("pairs.txt with folds: matched then mismatched per fold") {
    const auto p = pairs_of("2 1\nA 1 2\nA 1 B 3\nC\t4\t5\nD 1 E 1\n");
    CHECK(p.folds == 2);
    CHECK(p.pairs_per_fold == 1);
    REQUIRE(p.pairs.size() == 4);
    CHECK(p.pairs[0].same);
    CHECK(p.pairs[0].name2 == "A");
    CHECK_FALSE(p.pairs[1].same);
    CHECK(p.pairs[1].name2 == "B");
    CHECK(p.pairs[1].image2 == 3);
    CHECK(p.pairs[2].fold == 1);
    CHECK(p.pairs[2].line == 4);
}

TEST_CASE("pairsDev format: N, N matched, N mismatched") {
    const auto p = pairs_of("1\r\nA 1 2\r\nA 1 B 3\r\n\n");
    CHECK(p.folds == 1);
    CHECK(p.pairs.size() == 2);
}

TEST_CASE("malformed pairs lines name file and line") {
    CHECK_THROWS_WITH_AS(pairs_of("1\nA 1\nA 1 B 3\n"), doctest::Contains("pairs.txt:2:"),
                         jhr::protocol_error);
    CHECK_THROWS_WITH_AS(pairs_of("1\nA 1 2\nA 1 B\n"), doctest::Contains("pairs.txt:3:"),
                         jhr::protocol_error);
    CHECK_THROWS_WITH_AS(pairs_of("1\nA 1 2\n"), doctest::Contains("file ends"), jhr::protocol_error);
    CHECK_THROWS_WITH_AS(pairs_of("1\nA 1 2\nA 1 B 2\nextra\n"), doctest::Contains("extra"),
                         jhr::protocol_error);
    CHECK_THROWS_AS(pairs_of("1\nA 0 2\nA 1 B 2\n"), jhr::protocol_error);
    CHECK_THROWS_AS(pairs_of("1 2 3\n"), jhr::protocol_error);
    CHECK_THROWS_AS(pairs_of(""), jhr::protocol_error);
    // Empty folds are refused: a huge fold count with no pairs would otherwise loop without reading.
    CHECK_THROWS_WITH_AS(pairs_of("2147483647 0\n"), doctest::Contains("pairs per fold"),
                         jhr::protocol_error);
    CHECK_THROWS_WITH_AS(pairs_of("0 300\n"), doctest::Contains("fold count"), jhr::protocol_error);
}

TEST_CASE("people.txt sets and peopleDev lists") {
    const auto sets = people_of("2\n1\nA 3\n2\nB 1\nC 2\n");
    REQUIRE(sets.sets.size() == 2);
    CHECK(sets.sets[1].size() == 2);
    CHECK(sets.sets[1][1].name == "C");
    CHECK(sets.sets[1][1].image_count == 2);
    const auto dev = people_of("2\nA 3\nB 1\n");
    REQUIRE(dev.sets.size() == 1);
    CHECK(dev.sets[0][1].name == "B");
    CHECK_THROWS_WITH_AS(people_of("2\nA 3\nB\n"), doctest::Contains("people.txt:3:"), jhr::protocol_error);
    CHECK_THROWS_WITH_AS(people_of("2\n1\nA 3\n2\nB 1\n"), doctest::Contains("file ends"),
                         jhr::protocol_error);
    CHECK_THROWS_AS(people_of("1\nA x\n"), jhr::protocol_error);
}

TEST_CASE("LFW path rule and missing images") {
    CHECK(jhr::data::lfw_image_path("/r", "George_W_Bush", 24) == "/r/George_W_Bush/George_W_Bush_0024.jpg");
    const auto dir = scratch_dir("lfw");
    std::filesystem::create_directories(dir / "A");
    { std::ofstream(dir / "A" / "A_0001.jpg") << "x"; }
    { std::ofstream(dir / "A" / "A_0002.jpg") << "x"; }
    const auto p = pairs_of("1\nA 1 2\nA 1 B 1\n");
    CHECK_THROWS_WITH_AS(jhr::data::resolve_lfw_pairs(p, dir), doctest::Contains("B_0001.jpg"),
                         jhr::io_error);
    const auto r = jhr::data::resolve_lfw_pairs(p, dir, true);
    CHECK(r.pairs.size() == 1);
    CHECK(r.skipped == 1);
}

TEST_CASE("the real View 1 files parse") {
    const auto root = lfw_dir();
    if (root.empty()) {
        MESSAGE("skipped: LFW data not found (set JHR_LFW_DIR)");
        return;
    }
    const auto test = jhr::data::read_lfw_pairs(root / "pairsDevTest.txt");
    CHECK(test.pairs.size() == 1000);
    CHECK(jhr::data::read_lfw_pairs(root / "pairsDevTrain.txt").pairs.size() == 2200);
    const auto people = jhr::data::read_lfw_people(root / "peopleDevTest.txt");
    REQUIRE(people.sets.size() == 1);
    CHECK(people.sets[0].size() == 1711);
    const auto resolved = jhr::data::resolve_lfw_pairs(test, root / "images_deepfunneled", true);
    MESSAGE("pairsDevTest: " << resolved.pairs.size() << " pairs resolved, " << resolved.skipped
                             << " skipped");
    CHECK(resolved.pairs.size() + resolved.skipped == 1000);
}
