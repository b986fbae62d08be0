// jhr_test_cli_faces ROOT: writes a small LFW-style tree of synthetic faces for the end-to-end
// tests: ROOT/person_XX/person_XX_000K.jpg (20 identities x 3 images, 64x56), ROOT/people.txt
// (every identity), ROOT/pairs.txt (2 person-disjoint folds of 6 matched + 6 mismatched pairs:
// fold f holds the identities with id % 2 == f), ROOT/pairsDevTrain.txt (identities 0-9) and
// ROOT/pairsDevTest.txt (identities 10-19), and ROOT/face.png (one more face, 64x56).
#include "jhr/data/lfw.hpp"
#include "jhr/data/synthetic_faces.hpp"

#include <stb/stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr int identities = 20, images = 3;

std::string name(int id) {
    return std::string("person_") + char('0' + id / 10) + char('0' + id % 10);
}

void write_jpg(const std::filesystem::path& path, const jhr::image& img) {
    std::vector<unsigned char> rgb(img.size());
    std::transform(img.begin(), img.end(), rgb.begin(),
                   [](float v) { return (unsigned char)std::lround(std::clamp(v, 0.0f, 255.0f)); });
    if (!stbi_write_jpg(path.c_str(), int(img.shape(1)), int(img.shape(0)), 3, rgb.data(), 95))
        throw jhr::io_error("cannot write " + path.string());
}

// Matched then mismatched lines over the identities `ids`.
void write_pairs(std::ostream& out, const std::vector<int>& ids, int count) {
    for (int k = 0; k < count; ++k) {
        const int id = ids[std::size_t(k) % ids.size()], a = 1 + k % images, b = 1 + (k + 1) % images;
        out << name(id) << "\t" << std::min(a, b) << "\t" << std::max(a, b) << "\n";
    }
    for (int k = 0; k < count; ++k) {
        const int x = ids[std::size_t(k) % ids.size()],
                  y = ids[std::size_t(k + 1 + k / int(ids.size())) % ids.size()];
        out << name(x) << "\t" << 1 + k % images << "\t" << name(y == x ? ids[0] : y) << "\t"
            << 1 + (k + 2) % images << "\n";
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: jhr_test_cli_faces ROOT\n";
        return 2;
    }
    const std::filesystem::path root = argv[1];
    std::filesystem::create_directories(root);
    const jhr::data::synthetic_faces faces(11, {64, 56, 1.0, 3.0});
    std::ofstream people(root / "people.txt");
    people << identities << "\n";
    for (int id = 0; id < identities; ++id) {
        std::filesystem::create_directories(root / name(id));
        for (int k = 1; k <= images; ++k)
            write_jpg(jhr::data::lfw_image_path(root, name(id), k), faces.render(id, k));
        people << name(id) << " " << images << "\n";
    }
    write_jpg(root / "face.jpg", faces.render(0, 0));
    std::vector<int> fold[2], dev[2];
    for (int id = 0; id < identities; ++id) fold[id % 2].push_back(id), dev[id / 10].push_back(id);
    std::ofstream pairs(root / "pairs.txt");
    pairs << "2\t6\n";
    for (const auto& ids : fold) write_pairs(pairs, ids, 6);
    std::ofstream train(root / "pairsDevTrain.txt"), test(root / "pairsDevTest.txt");
    train << "8\n", write_pairs(train, dev[0], 8);
    test << "8\n", write_pairs(test, dev[1], 8);
    return 0;
}
