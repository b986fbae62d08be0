#include "jhr/data/resize.hpp"
#include "jhr/data/synthetic_faces.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace {

// A fixed feature: local energy of the gray high-pass (pixel minus its 3x3 mean), summed over 3x3
// windows on a stride-2 grid, mean-removed and L2-normalised. Compared by cosine similarity.
std::vector<double> texture_energy(const jhr::image& img) {
    const int h = int(img.shape(0)), w = int(img.shape(1));
    std::vector<double> gray(std::size_t(h * w)), energy(std::size_t(h * w), 0.0), f;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) gray[y * w + x] = (img(y, x, 0) + img(y, x, 1) + img(y, x, 2)) / 3.0;
    for (int y = 1; y < h - 1; ++y)
        for (int x = 1; x < w - 1; ++x) {
            double s = 0;
            for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx) s += gray[(y + dy) * w + x + dx];
            const double d = gray[y * w + x] - s / 9;
            energy[y * w + x] = d * d;
        }
    for (int y = 1; y < h - 1; y += 2)
        for (int x = 1; x < w - 1; x += 2) {
            double s = 0;
            for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx) s += energy[(y + dy) * w + x + dx];
            f.push_back(std::sqrt(s));
        }
    double mean = 0, norm = 0;
    for (double v : f) mean += v;
    mean /= double(f.size());
    for (double& v : f) {
        v -= mean;
        norm += v * v;
    }
    for (double& v : f) v /= std::sqrt(norm) + 1e-12;
    return f;
}

// Best accuracy over all thresholds of "same if similarity >= threshold".
double best_threshold_accuracy(const std::vector<double>& score, const std::vector<bool>& same) {
    double best = 0;
    for (double t : score) {
        std::size_t correct = 0;
        for (std::size_t i = 0; i < score.size(); ++i) correct += (score[i] >= t) == same[i];
        best = std::max(best, double(correct) / double(score.size()));
    }
    return best;
}

} // namespace

TEST_CASE("synthetic faces are deterministic, sized, and differ across identities and images") {
    const jhr::data::synthetic_faces faces(7);
    const auto a = faces.render(3, 1);
    CHECK(a.shape(0) == 124);
    CHECK(a.shape(1) == 108);
    CHECK(a.shape(2) == 3);
    CHECK(a == jhr::data::synthetic_faces(7).render(3, 1));
    CHECK(a != faces.render(3, 2));
    CHECK(a != faces.render(4, 1));
    CHECK(a != jhr::data::synthetic_faces(8).render(3, 1));
    CHECK(*std::min_element(a.begin(), a.end()) >= 0.0f);
    CHECK(*std::max_element(a.begin(), a.end()) <= 255.0f);
    const auto small = jhr::data::synthetic_faces(7, {.height = 62, .width = 54}).render(0, 0);
    CHECK(small.shape(0) == 62);
    CHECK(small.shape(1) == 54);
}

TEST_CASE("4x down-sampling lowers verification accuracy on synthetic faces") {
    // 40 identities x 4 images; all 240 same-identity pairs and 960 different-identity pairs
    // (the different-identity pairs whose (7 i + j) is a multiple of 13).
    const jhr::data::synthetic_faces faces(42);
    const int identities = 40, per_identity = 4;
    std::vector<std::vector<double>> hr, lr;
    std::vector<int> label;
    for (int id = 0; id < identities; ++id)
        for (int k = 0; k < per_identity; ++k) {
            const auto img = faces.render(id, k);
            hr.push_back(texture_energy(img));
            lr.push_back(texture_energy(jhr::degrade(img, 4, true)));
            label.push_back(id);
        }
    std::vector<double> score_hr, score_lr;
    std::vector<bool> same;
    for (std::size_t i = 0; i < hr.size(); ++i)
        for (std::size_t j = i + 1; j < hr.size(); ++j) {
            if (label[i] != label[j] && (i * 7 + j) % 13 != 0) continue;
            double s_hr = 0, s_lr = 0;
            for (std::size_t k = 0; k < hr[i].size(); ++k) {
                s_hr += hr[i][k] * hr[j][k];
                s_lr += lr[i][k] * lr[j][k];
            }
            score_hr.push_back(s_hr);
            score_lr.push_back(s_lr);
            same.push_back(label[i] == label[j]);
        }
    const double acc_hr = best_threshold_accuracy(score_hr, same);
    const double acc_lr = best_threshold_accuracy(score_lr, same);
    MESSAGE("verification accuracy on " << same.size() << " pairs: HR " << acc_hr << ", LR (4x) " << acc_lr);
    CHECK(acc_hr > 0.9);
    CHECK(acc_hr - acc_lr > 0.03);
}
