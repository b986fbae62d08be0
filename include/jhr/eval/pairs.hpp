// jhr/eval/pairs.hpp: verification pairs and their cosine similarity scores.
//
// face_pair names two rows of a feature matrix (rows = faces or videos), whether they show the same
// person, and the fold (LFW View 2 set, YouTube Faces split) it belongs to. Parsing the benchmark's
// pair files is the data module's job; this module takes the pairs as values.
// scored_pair is a pair reduced to what threshold selection and ROC need: its score, label and fold.
// The cosine similarity is x.y / (|x| |y|), in [-1, 1]; larger means more alike.
#pragma once

#include "jhr/core/error.hpp"

#include <Eigen/Dense>

#include <string>
#include <vector>

namespace jhr::eval {

struct face_pair {
    Eigen::Index first = 0;
    Eigen::Index second = 0;
    bool same = false;
    int fold = 0;
};

struct scored_pair {
    double score = 0.0;
    bool same = false;
    int fold = 0;
};

// Throws shape_error naming the pair if either row index is outside [0, rows).
inline void check_pair_rows(const std::vector<face_pair>& pairs, Eigen::Index rows);

// Cosine similarity of rows `first` and `second` of `features` for each pair, with its label and fold.
// Throws shape_error on an index out of range, jhr::error on a row of zero or non-finite norm.
inline std::vector<scored_pair> cosine_scores(const Eigen::MatrixXd& features,
                                              const std::vector<face_pair>& pairs);

// ---------------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------------

inline void check_pair_rows(const std::vector<face_pair>& pairs, Eigen::Index rows) {
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const face_pair& p = pairs[i];
        if (p.first < 0 || p.first >= rows || p.second < 0 || p.second >= rows) {
            throw shape_error(where("pair " + std::to_string(i) + " (fold " + std::to_string(p.fold) +
                                    ") refers to rows " + std::to_string(p.first) + " and " +
                                    std::to_string(p.second) + ", features have " + std::to_string(rows) +
                                    " rows"));
        }
    }
}

inline std::vector<scored_pair> cosine_scores(const Eigen::MatrixXd& features,
                                              const std::vector<face_pair>& pairs) {
    check_pair_rows(pairs, features.rows());
    const Eigen::VectorXd norms = features.rowwise().norm();
    std::vector<scored_pair> scored;
    scored.reserve(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const face_pair& p = pairs[i];
        const double denominator = norms(p.first) * norms(p.second);
        if (!(denominator > 0.0)) {
            throw error(where("cosine_scores: pair " + std::to_string(i) +
                              " has a feature of zero or non-finite norm (rows " + std::to_string(p.first) +
                              ", " + std::to_string(p.second) + ")"));
        }
        scored.push_back({features.row(p.first).dot(features.row(p.second)) / denominator, p.same, p.fold});
    }
    return scored;
}

} // namespace jhr::eval
