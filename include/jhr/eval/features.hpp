// jhr/eval/features.hpp: face descriptors for verification, built from a face and its horizontal flip.
//
// Rows are samples, columns are feature dimensions (Eigen::MatrixXd, row i = face i). The paper
// (§4.1) concatenates FRNET's first inner-product output (512-d) for a face and for its horizontal
// flip, giving 1024-d descriptors; `flip_fusion::concatenate` is that default. `sum` adds the two
// (same width as one feature), `original_only` ignores the flip.
// Requires: finite values; `original` and `flipped` of equal shape (rows and columns).
// Ensures: output row i depends only on input rows i.
#pragma once

#include "jhr/core/error.hpp"

#include <Eigen/Dense>

#include <cmath>
#include <string>

namespace jhr::eval {

enum class flip_fusion { concatenate, sum, original_only };

// Throws jhr::error naming `what` and the first (row, column) that is NaN or infinite.
inline void require_finite(const Eigen::MatrixXd& values, const std::string& what);

// [original | flipped] (concatenate), original + flipped (sum) or original (original_only).
inline Eigen::MatrixXd fuse_flip_features(const Eigen::MatrixXd& original, const Eigen::MatrixXd& flipped,
                                          flip_fusion mode = flip_fusion::concatenate);

// Each row divided by its Euclidean norm. Throws jhr::error on a row of zero norm (its direction,
// and so any cosine score with it, is undefined).
inline Eigen::MatrixXd l2_normalize_rows(const Eigen::MatrixXd& rows);

// ---------------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------------

inline void require_finite(const Eigen::MatrixXd& values, const std::string& what) {
    for (Eigen::Index r = 0; r < values.rows(); ++r) {
        for (Eigen::Index c = 0; c < values.cols(); ++c) {
            if (!std::isfinite(values(r, c))) {
                throw error(where(what + ": value " + std::to_string(values(r, c)) + " at row " +
                                  std::to_string(r) + ", column " + std::to_string(c) + " is not finite"));
            }
        }
    }
}

inline Eigen::MatrixXd fuse_flip_features(const Eigen::MatrixXd& original, const Eigen::MatrixXd& flipped,
                                          flip_fusion mode) {
    if (mode != flip_fusion::original_only &&
        (original.rows() != flipped.rows() || original.cols() != flipped.cols())) {
        throw shape_error(where("fuse_flip_features: original features are " +
                                std::to_string(original.rows()) + "x" + std::to_string(original.cols()) +
                                ", flipped features are " + std::to_string(flipped.rows()) + "x" +
                                std::to_string(flipped.cols())));
    }
    require_finite(original, "fuse_flip_features: original features");
    switch (mode) {
    case flip_fusion::concatenate: {
        require_finite(flipped, "fuse_flip_features: flipped features");
        Eigen::MatrixXd fused(original.rows(), original.cols() * 2);
        fused << original, flipped;
        return fused;
    }
    case flip_fusion::sum:
        require_finite(flipped, "fuse_flip_features: flipped features");
        return original + flipped;
    case flip_fusion::original_only:
        return original;
    }
    throw error(
        where("fuse_flip_features: unknown flip_fusion value " + std::to_string(static_cast<int>(mode))));
}

inline Eigen::MatrixXd l2_normalize_rows(const Eigen::MatrixXd& rows) {
    require_finite(rows, "l2_normalize_rows");
    Eigen::MatrixXd normalized = rows;
    for (Eigen::Index r = 0; r < rows.rows(); ++r) {
        const double norm = rows.row(r).norm();
        if (norm == 0.0) {
            throw error(where("l2_normalize_rows: row " + std::to_string(r) + " of " +
                              std::to_string(rows.rows()) + " has zero norm"));
        }
        normalized.row(r) /= norm;
    }
    return normalized;
}

} // namespace jhr::eval
