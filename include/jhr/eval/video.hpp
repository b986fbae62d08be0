// jhr/eval/video.hpp: YouTube Faces verification, one descriptor per video.
//
// A video's descriptor is the arithmetic mean of its frames' feature rows (raw features, averaged
// before PCA and without per-frame normalisation); it is then scored exactly like one face.
// The 10 splits protocol is verification.hpp's k_fold_protocol over the video descriptors: face_pair
// rows are video indices and face_pair::fold is the split.
// Requires: video_of_frame has one entry per frame row, each in [0, video_count); every video has at
// least one frame.
#pragma once

#include "jhr/core/error.hpp"
#include "jhr/eval/verification.hpp"

#include <Eigen/Dense>

#include <span>
#include <string>
#include <vector>

namespace jhr::eval {

// video_count x d: row v is the mean of the frame rows f with video_of_frame[f] == v.
// Throws shape_error on a size or index mismatch, jhr::error on a video without frames.
inline Eigen::MatrixXd mean_video_features(const Eigen::MatrixXd& frame_features,
                                           std::span<const Eigen::Index> video_of_frame,
                                           Eigen::Index video_count);

// The 10 splits protocol (any number of splits >= 2): mean_video_features, then k_fold_protocol.
inline verification_result video_k_fold_protocol(const Eigen::MatrixXd& frame_features,
                                                 std::span<const Eigen::Index> video_of_frame,
                                                 Eigen::Index video_count,
                                                 const std::vector<face_pair>& video_pairs,
                                                 const verification_options& options = {});

// ---------------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------------

inline Eigen::MatrixXd mean_video_features(const Eigen::MatrixXd& frame_features,
                                           std::span<const Eigen::Index> video_of_frame,
                                           Eigen::Index video_count) {
    if (static_cast<Eigen::Index>(video_of_frame.size()) != frame_features.rows()) {
        throw shape_error(where("mean_video_features: " + std::to_string(video_of_frame.size()) +
                                " video ids for " + std::to_string(frame_features.rows()) + " frame rows"));
    }
    Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(video_count, frame_features.cols());
    Eigen::VectorXd counts = Eigen::VectorXd::Zero(video_count);
    for (Eigen::Index f = 0; f < frame_features.rows(); ++f) {
        const Eigen::Index v = video_of_frame[static_cast<std::size_t>(f)];
        if (v < 0 || v >= video_count) {
            throw shape_error(where("mean_video_features: frame " + std::to_string(f) + " belongs to video " +
                                    std::to_string(v) + ", outside [0, " + std::to_string(video_count) +
                                    ")"));
        }
        sums.row(v) += frame_features.row(f);
        counts(v) += 1.0;
    }
    for (Eigen::Index v = 0; v < video_count; ++v) {
        if (counts(v) == 0.0)
            throw error(where("mean_video_features: video " + std::to_string(v) + " has no frames"));
        sums.row(v) /= counts(v);
    }
    return sums;
}

inline verification_result video_k_fold_protocol(const Eigen::MatrixXd& frame_features,
                                                 std::span<const Eigen::Index> video_of_frame,
                                                 Eigen::Index video_count,
                                                 const std::vector<face_pair>& video_pairs,
                                                 const verification_options& options) {
    return k_fold_protocol(mean_video_features(frame_features, video_of_frame, video_count), video_pairs,
                           options);
}

} // namespace jhr::eval
