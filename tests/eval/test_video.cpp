#include "jhr/eval/video.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace jhr::eval;

TEST_CASE("mean_video_features averages each video's frames") {
    Eigen::MatrixXd frames(5, 2);
    frames << 1, 2, 3, 4, 10, 10, 5, 6, 0, 0;
    const std::vector<Eigen::Index> video_of_frame = {0, 0, 1, 0, 1};
    const Eigen::MatrixXd videos = mean_video_features(frames, video_of_frame, 2);
    Eigen::MatrixXd expected(2, 2);
    expected << 3, 4, 5, 5;
    CHECK(videos.isApprox(expected));
}

TEST_CASE("mean_video_features checks its inputs") {
    const Eigen::MatrixXd frames = Eigen::MatrixXd::Ones(3, 2);
    const std::vector<Eigen::Index> short_list = {0, 1};
    CHECK_THROWS_AS(mean_video_features(frames, short_list, 2), jhr::shape_error);
    const std::vector<Eigen::Index> out_of_range = {0, 1, 2};
    CHECK_THROWS_AS(mean_video_features(frames, out_of_range, 2), jhr::shape_error);
    const std::vector<Eigen::Index> empty_video = {0, 0, 2};
    CHECK_THROWS_AS(mean_video_features(frames, empty_video, 3), jhr::error);
}

TEST_CASE("video_k_fold_protocol is k_fold_protocol over mean video features") {
    std::mt19937 generator(3);
    std::normal_distribution<double> normal;
    const Eigen::Index videos = 40, frames_per_video = 3, dims = 8;
    Eigen::MatrixXd frames(videos * frames_per_video, dims);
    std::vector<Eigen::Index> video_of_frame;
    for (Eigen::Index f = 0; f < frames.rows(); ++f) {
        video_of_frame.push_back(f / frames_per_video);
        for (Eigen::Index d = 0; d < dims; ++d) frames(f, d) = normal(generator);
    }
    std::vector<face_pair> pairs;
    for (Eigen::Index v = 0; v + 1 < videos; v += 2) {
        pairs.push_back({v, v + 1, (v / 2) % 2 == 0, static_cast<int>((v / 2) % 10)});
    }
    const verification_options options{.pca = pca_options{.components = 4}};
    const verification_result direct =
        k_fold_protocol(mean_video_features(frames, video_of_frame, videos), pairs, options);
    const verification_result result = video_k_fold_protocol(frames, video_of_frame, videos, pairs, options);
    REQUIRE(result.folds.size() == 10);
    CHECK(result.accuracy_mean == direct.accuracy_mean);
    for (std::size_t i = 0; i < pairs.size(); ++i) CHECK(result.scores[i].score == direct.scores[i].score);
}
