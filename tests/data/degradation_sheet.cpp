// Writes a PNG sheet of faces: one column per face, rows HR / LR (nearest-neighbour enlarged 4x for
// display) / LR bicubic-upscaled (the SR network input). Usage:
//   jhr_degradation_sheet OUT.png [LFW_DIR]
// With LFW_DIR, the faces are 150x150 LFW originals aligned by their landmarks (peopleDevTest people);
// otherwise synthetic faces.
#include "jhr/data/alignment.hpp"
#include "jhr/data/landmarks.hpp"
#include "jhr/data/resize.hpp"
#include "jhr/data/synthetic_faces.hpp"

#include <iostream>

namespace {

void paste(jhr::image& sheet, const jhr::image& img, int top, int left, int zoom) {
    for (std::size_t y = 0; y < img.shape(0) * zoom; ++y)
        for (std::size_t x = 0; x < img.shape(1) * zoom; ++x)
            for (int c = 0; c < 3; ++c) sheet(top + y, left + x, c) = img(y / zoom, x / zoom, c);
}

} // namespace

int main(int argc, char** argv) try {
    if (argc < 2) {
        std::cerr << "usage: jhr_degradation_sheet OUT.png [LFW_DIR]\n";
        return 2;
    }
    std::vector<jhr::image> faces;
    if (argc >= 3) {
        const std::filesystem::path root = argv[2];
        const auto landmarks = jhr::data::read_landmarks(root / "lfw_landmark.txt", 0.6);
        for (const auto& e : landmarks) {
            const auto path = root / "images_original_150" / e.path;
            if (!std::filesystem::exists(path)) continue;
            faces.push_back(jhr::align_face(jhr::read_image(path), e.points));
            if (faces.size() == 8) break;
        }
    } else {
        const jhr::data::synthetic_faces generator(1);
        for (int i = 0; i < 8; ++i) faces.push_back(generator.render(i, 0));
    }
    const int h = 124, w = 108, gap = 4;
    jhr::image sheet = jhr::make_image(3 * h + 2 * gap, int(faces.size()) * (w + gap) - gap);
    sheet.fill(255.0f);
    for (std::size_t i = 0; i < faces.size(); ++i) {
        const int left = int(i) * (w + gap);
        paste(sheet, faces[i], 0, left, 1);
        paste(sheet, jhr::degrade(faces[i], 4, false), h + gap, left, 4);
        paste(sheet, jhr::degrade(faces[i], 4, true), 2 * (h + gap), left, 1);
    }
    jhr::write_png(argv[1], sheet);
    std::cout << "wrote " << argv[1] << " (" << faces.size() << " faces)\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "jhr_degradation_sheet: " << e.what() << "\n";
    return 1;
}
