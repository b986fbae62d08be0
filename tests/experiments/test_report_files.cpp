#include "jhr/experiments/report_files.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace jhr;
using namespace jhr::experiments;

namespace {
std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}
std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}
} // namespace

TEST_CASE("tiny synthetic reproduce writes every report file with the expected structure") {
    const auto dir = scratch_dir("synthetic");
    auto r = tiny_reproduce_options(dir / "report");
    r.command = "jhr reproduce --data synthetic";
    std::ostringstream log;
    const table4_result result = reproduce<fast_backend>(r, log);
    for (const char* f : report_files) CHECK_MESSAGE(std::filesystem::is_regular_file(r.out / f), f);
    REQUIRE(result.settings.size() == 6);
    CHECK(result.networks.size() == 5);
    CHECK(result.test_faces == 40);
    CHECK(result.test_pairs == 40); // 20 identities x C(2, 2) same pairs, as many different

    const std::string md = slurp(r.out / "report.md");
    std::size_t rows = 0;
    for (const char* id :
         {"| 1 | HR | HR |", "| 2 | HR | LR |", "| 3 | HR | Hallucinated |", "| 4 | LR | LR |",
          "| 5 | Hallucinated | Hallucinated |", "| 6 (joint) | LR | LR |"})
        rows += count(md, id);
    CHECK(rows == 6);
    for (std::size_t at = md.find("| 1 | HR | HR |"), row = 0; row < 6; ++row, at = md.find("\n| ", at) + 1) {
        const std::string line = md.substr(at, md.find('\n', at) - at);
        CHECK_MESSAGE(count(line, "|") == 10, line); // 9 columns
    }
    CHECK(count(md, "| 98.63% | 94.73% |") == 1);   // the paper's setting 1 beside ours
    CHECK(count(md, "| Joint Model SRNET |") == 2); // Table 5 and the training table
    CHECK(count(md, "jhr reproduce --data synthetic") == 1);

    const auto json = nlohmann::json::parse(slurp(r.out / "metrics.json"));
    for (const char* key : {"settings", "psnr_y_db", "ssim_y", "train_seconds", "networks", "about", "paper",
                            "test_set", "test_pairs"})
        CHECK_MESSAGE(json.contains(key), key);
    REQUIRE(json["settings"].size() == 6);
    for (const auto& s : json["settings"])
        for (const char* key : {"accuracy_mean", "accuracy_std", "tar_at_far_0.1%", "tar_at_far_1%", "roc"})
            CHECK_MESSAGE(s.contains(key), key);
    CHECK(json["networks"].size() == 5);
    CHECK(json["networks"][4]["heads"].size() == 3);
    CHECK(json["psnr_y_db"]["bicubic"].get<double>() == doctest::Approx(result.psnr_bicubic));

    for (const char* svg_file : {"roc.svg", "losses.svg"}) {
        const std::string svg = slurp(r.out / svg_file);
        CHECK(svg.rfind("<svg ", 0) == 0);
        CHECK(svg.find("</svg>") != std::string::npos);
        CHECK(count(svg, "<") == count(svg, ">"));
    }
    CHECK(count(slurp(r.out / "roc.svg"), "<polyline") == 6);
    // SRNET: pixel; three FRNETs: softmax, center; Joint Model: pixel, softmax, center.
    CHECK(count(slurp(r.out / "losses.svg"), "<polyline") == 1 + 3 * 2 + 3);

    const image sheet = read_image(r.out / "sheet.png");
    // 6 samples of 56x48 (64x56 less SRNET's 4 px border): 4 + 6 * (56 + 4) by 4 + 5 * (48 + 4).
    CHECK(result.samples.size() == 6);
    CHECK(image_height(sheet) == 364);
    CHECK(image_width(sheet) == 264);
}

TEST_CASE("write_report reports a folder it cannot create") {
    const auto dir = scratch_dir("blocked");
    std::ofstream(dir / "file") << "x";
    CHECK_THROWS_AS(write_report(dir / "file" / "report", table4_result{}, report_about{}), io_error);
}
