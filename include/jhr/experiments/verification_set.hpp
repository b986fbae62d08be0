// jhr/experiments/verification_set.hpp: the test side of the paper's Table 4: faces, verification
// pairs over them, and the protocol that turns pair scores into accuracy.
//
// verification_set<Source> holds a sample source (face i = feature row i) and its pairs:
//   k_fold:  `pairs` carry fold ids; every fold is held out once (PCA and threshold on the other
//            folds), accuracy = mean and sample std over folds (LFW View 2, synthetic identities);
//   holdout: PCA and threshold come from `tuning_pairs` only, accuracy is measured on `pairs` (LFW
//            View 1: pairsDevTrain tunes, pairsDevTest tests). Each test pair's fold is its index
//            within its half (matched or mismatched) modulo 10, so the std is the sample std of the
//            accuracy over 10 equal, disjoint parts of the test list at the one tuned threshold.
// Training sources: synthetic identities, or the LFW people of peopleDevTrain.txt (label = index of
// the person in that file, every image of the person, deep-funneled with the fixed crop).
// LFW faces are read from images_deepfunneled with lfw_deep_funneled_box and resized (bicubic) to
// the requested face size when it differs from the box's 124x108.
#pragma once

#include "jhr/core/random.hpp"
#include "jhr/data/alignment.hpp"
#include "jhr/data/lfw.hpp"
#include "jhr/data/loader.hpp"
#include "jhr/eval/pairs.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace jhr::experiments {

enum class pair_protocol { k_fold, holdout };

template <data::sample_source Source>
struct verification_set {
    std::string name;                          // e.g. "LFW View 1 (pairsDevTest)"
    Source faces;                              // face i is feature row i
    std::vector<eval::face_pair> pairs;        // the pairs accuracy is measured on
    std::vector<eval::face_pair> tuning_pairs; // holdout only: PCA and threshold
    pair_protocol protocol = pair_protocol::k_fold;
};

// Same pairs: every pair of images of an identity; different pairs: as many, each between a random
// image of identity k % identities and of another identity of the same fold. Fold = identity % 10,
// so folds are person-disjoint. Face index = identity * per_identity + image.
std::vector<eval::face_pair> synthetic_pairs(std::size_t identities, std::size_t per_identity,
                                             std::uint64_t seed);

verification_set<data::synthetic_source> synthetic_verification_set(data::synthetic_faces faces,
                                                                    std::size_t identities,
                                                                    std::size_t per_identity,
                                                                    std::uint64_t seed);

// Reads deep-funneled LFW faces with the fixed crop, resized to height x width.
data::file_source lfw_face_source(std::vector<data::labelled_path> files, int height, int width);

// The people of peopleDevTrain.txt in file order: every image, label = person index; `classes` =
// person count. max_images > 0 stops after the first person that brings the count to max_images.
struct lfw_training_set {
    data::file_source faces;
    int classes = 0;
};
lfw_training_set lfw_view1_training_set(const std::filesystem::path& lfw_root, int height, int width,
                                        std::size_t max_images = 0);

// View 1: tuning on pairsDevTrain.txt, testing on pairsDevTest.txt (holdout protocol). With
// pairs_per_half > 0 only the first that many matched and mismatched pairs of each file are used.
verification_set<data::file_source> lfw_view1_verification_set(const std::filesystem::path& lfw_root,
                                                               int height, int width,
                                                               std::size_t pairs_per_half = 0);

// View 2: the 10 folds of `pairs_file` (pairs.txt format), k_fold protocol.
verification_set<data::file_source> lfw_view2_verification_set(const std::filesystem::path& lfw_root,
                                                               const std::filesystem::path& pairs_file,
                                                               int height, int width);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

inline std::vector<eval::face_pair> synthetic_pairs(std::size_t identities, std::size_t per_identity,
                                                    std::uint64_t seed) {
    if (identities < 20 || per_identity < 2)
        throw error("synthetic_pairs: need at least 20 identities (2 per fold) and 2 images each, got " +
                    std::to_string(identities) + " x " + std::to_string(per_identity));
    std::vector<eval::face_pair> pairs;
    rng r(seed);
    const auto row = [&](std::size_t id, std::size_t image) {
        return Eigen::Index(id * per_identity + image);
    };
    for (std::size_t id = 0; id < identities; ++id)
        for (std::size_t a = 0; a < per_identity; ++a)
            for (std::size_t b = a + 1; b < per_identity; ++b)
                pairs.push_back({row(id, a), row(id, b), true, int(id % 10)});
    const std::size_t same = pairs.size();
    for (std::size_t k = 0; k < same; ++k) {
        const std::size_t id = k % identities;
        std::size_t other = id;
        while (other == id || other % 10 != id % 10) other = uniform_index(r, identities);
        pairs.push_back({row(id, uniform_index(r, per_identity)), row(other, uniform_index(r, per_identity)),
                         false, int(id % 10)});
    }
    return pairs;
}

inline verification_set<data::synthetic_source> synthetic_verification_set(data::synthetic_faces faces,
                                                                           std::size_t identities,
                                                                           std::size_t per_identity,
                                                                           std::uint64_t seed) {
    return {"synthetic held-out identities (" + std::to_string(identities) + " x " +
                std::to_string(per_identity) + ", 10 person-disjoint folds)",
            data::synthetic_source(std::move(faces), identities, per_identity),
            synthetic_pairs(identities, per_identity, seed),
            {},
            pair_protocol::k_fold};
}

inline data::file_source lfw_face_source(std::vector<data::labelled_path> files, int height, int width) {
    return data::file_source(std::move(files), [height, width](const image& img, const data::labelled_path&) {
        return center_crop(img, lfw_deep_funneled_box, height, width);
    });
}

inline lfw_training_set lfw_view1_training_set(const std::filesystem::path& lfw_root, int height, int width,
                                               std::size_t max_images) {
    const data::lfw_people people = data::read_lfw_people(lfw_root / "peopleDevTrain.txt");
    std::vector<data::labelled_path> files;
    std::int32_t label = 0;
    for (const auto& set : people.sets)
        for (const data::lfw_person& p : set) {
            if (max_images > 0 && files.size() >= max_images) break;
            for (int n = 1; n <= p.image_count; ++n) {
                auto path = data::lfw_image_path(lfw_root / "images_deepfunneled", p.name, n);
                if (!std::filesystem::is_regular_file(path))
                    throw io_error("peopleDevTrain.txt lists " + p.name + " with " +
                                   std::to_string(p.image_count) + " images, but " + path.string() +
                                   " is missing");
                files.push_back({std::move(path), label});
            }
            ++label;
        }
    return {lfw_face_source(std::move(files), height, width), int(label)};
}

namespace detail {

// Pairs over the distinct images they name; `files` grows with each new image (first appearance).
// per_half > 0 keeps only the first per_half matched and mismatched pairs.
inline std::vector<eval::face_pair> index_pairs(const data::resolved_pairs& resolved,
                                                std::map<std::filesystem::path, Eigen::Index>& row_of,
                                                std::vector<data::labelled_path>& files,
                                                std::size_t per_half = 0) {
    const auto row = [&](const std::filesystem::path& p) {
        const auto [it, inserted] = row_of.emplace(p, Eigen::Index(files.size()));
        if (inserted) files.push_back({p, 0});
        return it->second;
    };
    std::vector<eval::face_pair> out;
    std::size_t same = 0, different = 0;
    for (const data::resolved_pair& p : resolved.pairs) {
        if (per_half > 0 && (p.same ? same++ : different++) >= per_half) continue;
        out.push_back({row(p.first), row(p.second), p.same, p.fold});
    }
    return out;
}

// fold = index within the matched (or mismatched) half, modulo 10.
inline void assign_parts(std::vector<eval::face_pair>& pairs) {
    int same = 0, different = 0;
    for (eval::face_pair& p : pairs) p.fold = (p.same ? same++ : different++) % 10;
}

} // namespace detail

inline verification_set<data::file_source> lfw_view1_verification_set(const std::filesystem::path& lfw_root,
                                                                      int height, int width,
                                                                      std::size_t pairs_per_half) {
    const auto images = lfw_root / "images_deepfunneled";
    const auto tuning = data::resolve_lfw_pairs(data::read_lfw_pairs(lfw_root / "pairsDevTrain.txt"), images,
                                                false, (lfw_root / "pairsDevTrain.txt").string());
    const auto test = data::resolve_lfw_pairs(data::read_lfw_pairs(lfw_root / "pairsDevTest.txt"), images,
                                              false, (lfw_root / "pairsDevTest.txt").string());
    std::map<std::filesystem::path, Eigen::Index> row_of;
    std::vector<data::labelled_path> files;
    auto tuning_pairs = detail::index_pairs(tuning, row_of, files, pairs_per_half);
    auto test_pairs = detail::index_pairs(test, row_of, files, pairs_per_half);
    detail::assign_parts(test_pairs);
    return {"LFW View 1 (PCA and threshold on pairsDevTrain, accuracy on pairsDevTest)",
            lfw_face_source(std::move(files), height, width), std::move(test_pairs), std::move(tuning_pairs),
            pair_protocol::holdout};
}

inline verification_set<data::file_source> lfw_view2_verification_set(const std::filesystem::path& lfw_root,
                                                                      const std::filesystem::path& pairs_file,
                                                                      int height, int width) {
    const auto resolved = data::resolve_lfw_pairs(
        data::read_lfw_pairs(pairs_file), lfw_root / "images_deepfunneled", false, pairs_file.string());
    std::map<std::filesystem::path, Eigen::Index> row_of;
    std::vector<data::labelled_path> files;
    auto pairs = detail::index_pairs(resolved, row_of, files);
    return {"LFW View 2 (10 folds of " + pairs_file.filename().string() + ")",
            lfw_face_source(std::move(files), height, width),
            std::move(pairs),
            {},
            pair_protocol::k_fold};
}

} // namespace jhr::experiments
