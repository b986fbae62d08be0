// jhr/eval/verification.hpp: verification accuracy with a threshold learned on training folds.
//
// Decision rule: a pair is predicted "same" iff score >= threshold.
// Threshold choice (best_threshold): the pairs' distinct scores s_1 < ... < s_m give the candidates
//   below all scores (s_1 - (1 + |s_1|): everything "same"), the midpoint (s_j + s_j+1) / 2 of each
//   pair of adjacent distinct scores (s_j+1 itself when the two are adjacent doubles), and
//   above all scores (s_m + (1 + |s_m|): everything "different").
//   The candidate with the most correct decisions wins; on a tie the smallest threshold wins (the
//   first maximum of an ascending sweep, as numpy.argmax over ascending thresholds does). Since
//   every candidate lies strictly between scores, no score sits on the threshold itself.
// Cross-validation: each fold id in the pairs is held out once; its threshold is chosen on the pairs
//   of all other folds, and its accuracy measured on its own pairs. The reported mean is the
//   unweighted mean of the fold accuracies; the reported std is the sample standard deviation
//   sqrt(sum (a_i - mean)^2 / (K - 1)) over the K folds, as the LFW README prescribes for its
//   standard error S_E = std / sqrt(K) (numpy.std's default divides by K instead: multiply by
//   sqrt((K - 1) / K) to compare).
// Feature protocols (LFW View 2 ten-fold, View 1 train/test, YouTube Faces splits): for each held-out
//   fold, PCA is fitted on the feature rows referenced by the training pairs only, all pairs are
//   projected and scored by cosine similarity, the threshold is chosen on the training pairs and the
//   held-out pairs are tested. Folds must not share feature rows (LFW and YouTube Faces folds are
//   person-disjoint); a shared row would let the test fold reach the PCA, so it is a protocol_error.
// Accuracies are fractions in [0, 1].
#pragma once

#include "jhr/core/error.hpp"
#include "jhr/eval/pairs.hpp"
#include "jhr/eval/pca.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace jhr::eval {

struct threshold_choice {
    double threshold = 0.0;
    std::size_t correct = 0;
    std::size_t total = 0;
    double accuracy() const { return static_cast<double>(correct) / static_cast<double>(total); }
};

struct fold_result {
    int fold = 0;
    double threshold = 0.0;
    double train_accuracy = 0.0;
    double test_accuracy = 0.0;
    std::size_t test_pairs = 0;
};

struct verification_result {
    std::vector<fold_result> folds; // in increasing fold id
    double accuracy_mean = 0.0;
    double accuracy_std = 0.0;            // sample std over folds (K - 1)
    double accuracy_standard_error = 0.0; // accuracy_std / sqrt(K)
    // Every input pair, in input order, scored in the setting where its fold was held out.
    std::vector<scored_pair> scores;
};

struct holdout_result {
    double threshold = 0.0;
    double train_accuracy = 0.0;
    double test_accuracy = 0.0;
    std::vector<scored_pair> test_scores;
};

// pca: fitted per held-out fold on the training rows; std::nullopt scores the raw features.
struct verification_options {
    std::optional<pca_options> pca = pca_options{};
};

// Number of pairs decided correctly by "same iff score >= threshold".
inline std::size_t correct_decisions(const std::vector<scored_pair>& pairs, double threshold);

// The accuracy-maximising threshold over `pairs` (all of them; folds ignored). Throws jhr::error when
// `pairs` is empty or a score is not finite.
inline threshold_choice best_threshold(const std::vector<scored_pair>& pairs);

// Cross-validation over fixed scores, folds from scored_pair::fold. Throws jhr::error on fewer than 2
// folds. The result's scores are the input.
inline verification_result cross_validate(const std::vector<scored_pair>& scores);

// LFW View 2 (or any K-fold pair list) from features: rows = faces, see the header comment.
// Throws shape_error on a row index out of range, protocol_error on a row shared by two folds.
inline verification_result k_fold_protocol(const Eigen::MatrixXd& features,
                                           const std::vector<face_pair>& pairs,
                                           const verification_options& options = {});

// LFW View 1: PCA and threshold from `train_pairs` (pairsDevTrain), accuracy on `test_pairs`
// (pairsDevTest). Folds are ignored; the two lists must not share feature rows (protocol_error).
inline holdout_result holdout_protocol(const Eigen::MatrixXd& features,
                                       const std::vector<face_pair>& train_pairs,
                                       const std::vector<face_pair>& test_pairs,
                                       const verification_options& options = {});

// ---------------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------------

inline std::size_t correct_decisions(const std::vector<scored_pair>& pairs, double threshold) {
    std::size_t correct = 0;
    for (const scored_pair& p : pairs) correct += ((p.score >= threshold) == p.same) ? 1 : 0;
    return correct;
}

inline threshold_choice best_threshold(const std::vector<scored_pair>& pairs) {
    if (pairs.empty()) throw error(where("best_threshold: no pairs to choose a threshold on"));
    std::vector<scored_pair> sorted = pairs;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (!std::isfinite(sorted[i].score)) {
            throw error(where("best_threshold: score of pair " + std::to_string(i) + " is not finite"));
        }
    }
    std::sort(sorted.begin(), sorted.end(),
              [](const scored_pair& a, const scored_pair& b) { return a.score < b.score; });

    // Sweep upwards: passing a group of equal scores turns all of them into "different" decisions.
    long long correct = static_cast<long long>(
        std::count_if(sorted.begin(), sorted.end(), [](const scored_pair& p) { return p.same; }));
    const double lowest = sorted.front().score;
    threshold_choice best{lowest - (1.0 + std::abs(lowest)), static_cast<std::size_t>(correct),
                          sorted.size()};
    for (std::size_t i = 0; i < sorted.size();) {
        const double value = sorted[i].score;
        for (; i < sorted.size() && sorted[i].score == value; ++i) correct += sorted[i].same ? -1 : 1;
        if (static_cast<std::size_t>(correct) <= best.correct) continue;
        double threshold = value + (1.0 + std::abs(value));
        if (i < sorted.size()) {
            const double next = sorted[i].score;
            threshold = value + (next - value) / 2.0;
            if (!(threshold > value && threshold < next)) threshold = next;
        }
        best = {threshold, static_cast<std::size_t>(correct), sorted.size()};
    }
    return best;
}

namespace detail {

inline std::vector<int> fold_ids(const std::vector<scored_pair>& scores) {
    std::set<int> ids;
    for (const scored_pair& p : scores) ids.insert(p.fold);
    if (ids.size() < 2) {
        throw error(where("cross-validation needs at least 2 folds, got " + std::to_string(ids.size()) +
                          " over " + std::to_string(scores.size()) + " pairs"));
    }
    return {ids.begin(), ids.end()};
}

inline void summarise(verification_result& result) {
    const double k = static_cast<double>(result.folds.size());
    double sum = 0.0;
    for (const fold_result& f : result.folds) sum += f.test_accuracy;
    result.accuracy_mean = sum / k;
    double squares = 0.0;
    for (const fold_result& f : result.folds)
        squares += (f.test_accuracy - result.accuracy_mean) * (f.test_accuracy - result.accuracy_mean);
    result.accuracy_std = std::sqrt(squares / (k - 1.0));
    result.accuracy_standard_error = result.accuracy_std / std::sqrt(k);
}

inline fold_result evaluate_fold(int fold, const std::vector<scored_pair>& scores) {
    std::vector<scored_pair> train;
    std::vector<scored_pair> test;
    for (const scored_pair& p : scores) (p.fold == fold ? test : train).push_back(p);
    const threshold_choice choice = best_threshold(train);
    return {fold, choice.threshold, choice.accuracy(),
            static_cast<double>(correct_decisions(test, choice.threshold)) / static_cast<double>(test.size()),
            test.size()};
}

// Throws protocol_error if a feature row is referenced by pairs of two different groups.
inline void require_disjoint_rows(const std::vector<face_pair>& pairs, const std::vector<int>& group_of_pair,
                                  const std::string& what) {
    std::map<Eigen::Index, int> group_of_row;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        for (Eigen::Index row : {pairs[i].first, pairs[i].second}) {
            const auto [it, inserted] = group_of_row.emplace(row, group_of_pair[i]);
            if (!inserted && it->second != group_of_pair[i]) {
                throw protocol_error(where(what + ": feature row " + std::to_string(row) + " is used by " +
                                           std::to_string(it->second) + " and by " +
                                           std::to_string(group_of_pair[i]) + " (pair " + std::to_string(i) +
                                           "); held-out pairs must not share faces with training pairs"));
            }
        }
    }
}

// Features as seen by the scorer: PCA fitted on `fit_rows` and applied to all rows, or the raw features.
inline Eigen::MatrixXd project(const Eigen::MatrixXd& features, const std::set<Eigen::Index>& fit_rows,
                               const verification_options& options) {
    if (!options.pca) return features;
    const std::vector<Eigen::Index> rows(fit_rows.begin(), fit_rows.end());
    return pca::fit(features(rows, Eigen::all), *options.pca).transform(features);
}

// The rows referenced by `pairs`, copied into a compact matrix, and the pairs renumbered onto it.
inline std::pair<Eigen::MatrixXd, std::vector<face_pair>> compact(const Eigen::MatrixXd& features,
                                                                  std::vector<face_pair> pairs) {
    check_pair_rows(pairs, features.rows());
    std::map<Eigen::Index, Eigen::Index> new_index;
    for (const face_pair& p : pairs) new_index.emplace(p.first, 0), new_index.emplace(p.second, 0);
    std::vector<Eigen::Index> rows;
    for (auto& [row, index] : new_index) index = static_cast<Eigen::Index>(rows.size()), rows.push_back(row);
    for (face_pair& p : pairs) p.first = new_index[p.first], p.second = new_index[p.second];
    return {features(rows, Eigen::all), std::move(pairs)};
}

} // namespace detail

inline verification_result cross_validate(const std::vector<scored_pair>& scores) {
    verification_result result;
    for (int fold : detail::fold_ids(scores)) result.folds.push_back(detail::evaluate_fold(fold, scores));
    detail::summarise(result);
    result.scores = scores;
    return result;
}

inline verification_result k_fold_protocol(const Eigen::MatrixXd& features,
                                           const std::vector<face_pair>& input_pairs,
                                           const verification_options& options) {
    const auto [compact_features, pairs] = detail::compact(features, input_pairs);
    std::vector<int> folds_of_pairs;
    for (const face_pair& p : pairs) folds_of_pairs.push_back(p.fold);
    detail::require_disjoint_rows(pairs, folds_of_pairs, "k_fold_protocol (folds)");

    std::vector<scored_pair> placeholder;
    for (const face_pair& p : pairs) placeholder.push_back({0.0, p.same, p.fold});
    verification_result result;
    result.scores = placeholder;
    for (int fold : detail::fold_ids(placeholder)) {
        std::set<Eigen::Index> train_rows;
        for (const face_pair& p : pairs) {
            if (p.fold != fold) train_rows.insert(p.first), train_rows.insert(p.second);
        }
        const std::vector<scored_pair> scores =
            cosine_scores(detail::project(compact_features, train_rows, options), pairs);
        result.folds.push_back(detail::evaluate_fold(fold, scores));
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            if (pairs[i].fold == fold) result.scores[i] = scores[i];
        }
    }
    detail::summarise(result);
    return result;
}

inline holdout_result holdout_protocol(const Eigen::MatrixXd& features,
                                       const std::vector<face_pair>& train_pairs,
                                       const std::vector<face_pair>& test_pairs,
                                       const verification_options& options) {
    if (train_pairs.empty() || test_pairs.empty()) {
        throw error(where("holdout_protocol: " + std::to_string(train_pairs.size()) + " training and " +
                          std::to_string(test_pairs.size()) + " test pairs; both must be non-empty"));
    }
    std::vector<face_pair> all = train_pairs;
    all.insert(all.end(), test_pairs.begin(), test_pairs.end());
    std::vector<int> groups(train_pairs.size(), 0);
    groups.resize(all.size(), 1);
    for (std::size_t i = 0; i < all.size(); ++i) all[i].fold = groups[i];
    const auto [compact_features, pairs] = detail::compact(features, all);
    detail::require_disjoint_rows(pairs, groups, "holdout_protocol (0 = training list, 1 = test list)");

    std::set<Eigen::Index> train_rows;
    for (const face_pair& p : pairs) {
        if (p.fold == 0) train_rows.insert(p.first), train_rows.insert(p.second);
    }
    const std::vector<scored_pair> scores =
        cosine_scores(detail::project(compact_features, train_rows, options), pairs);
    const std::vector<scored_pair> train(scores.begin(),
                                         scores.begin() + static_cast<std::ptrdiff_t>(train_pairs.size()));
    holdout_result result;
    result.test_scores.assign(scores.begin() + static_cast<std::ptrdiff_t>(train_pairs.size()), scores.end());
    const threshold_choice choice = best_threshold(train);
    result.threshold = choice.threshold;
    result.train_accuracy = choice.accuracy();
    result.test_accuracy = static_cast<double>(correct_decisions(result.test_scores, choice.threshold)) /
                           static_cast<double>(result.test_scores.size());
    for (std::size_t i = 0; i < result.test_scores.size(); ++i)
        result.test_scores[i].fold = test_pairs[i].fold;
    return result;
}

} // namespace jhr::eval
