// jhr/eval/roc.hpp: ROC curve, true-accept rate at a false-accept rate, and area under the curve.
//
// A pair is accepted ("same") iff score >= threshold. TAR = accepted same pairs / same pairs,
// FAR = accepted different pairs / different pairs, both fractions in [0, 1].
// The curve has one point per distinct score, in decreasing order of threshold: lowering the
// threshold to a score accepts every pair with that score at once, so tied pairs enter together
// and a tie between same and different pairs gives one diagonal step, never an optimistic staircase.
// The first point (0, 0) has the threshold just above the largest score (std::nextafter), the last
// is (1, 1) at the smallest score.
// TAR at FAR: the largest TAR among the curve's points whose FAR <= target (no interpolation between
// points; the paper's "TP" is TAR at FAR = 0.1%). AUC: trapezoidal area under the points, which
// equals P(score_same > score_different) + P(equal) / 2.
#pragma once

#include "jhr/core/error.hpp"
#include "jhr/eval/pairs.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace jhr::eval {

struct roc_point {
    double threshold = 0.0;
    double far = 0.0;
    double tar = 0.0;
};

// Throws jhr::error when the pairs lack same or different pairs, or a score is not finite.
inline std::vector<roc_point> roc_curve(const std::vector<scored_pair>& pairs);

// The curve's point with the largest TAR among those with FAR <= target_far. Requires a curve from
// roc_curve (starts at FAR 0, FAR and TAR non-decreasing); throws jhr::error if target_far < 0 or the
// curve is empty.
inline roc_point tar_at_far(const std::vector<roc_point>& curve, double target_far);

inline double area_under_curve(const std::vector<roc_point>& curve);

// ---------------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------------

inline std::vector<roc_point> roc_curve(const std::vector<scored_pair>& pairs) {
    std::vector<scored_pair> sorted = pairs;
    std::size_t same_total = 0;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (!std::isfinite(sorted[i].score)) {
            throw error(where("roc_curve: score of pair " + std::to_string(i) + " is not finite"));
        }
        same_total += sorted[i].same ? 1 : 0;
    }
    const std::size_t different_total = sorted.size() - same_total;
    if (same_total == 0 || different_total == 0) {
        throw error(where("roc_curve: needs both same and different pairs, got " +
                          std::to_string(same_total) + " same and " + std::to_string(different_total) +
                          " different"));
    }
    std::sort(sorted.begin(), sorted.end(),
              [](const scored_pair& a, const scored_pair& b) { return a.score > b.score; });

    std::vector<roc_point> curve;
    curve.push_back(
        {std::nextafter(sorted.front().score, std::numeric_limits<double>::infinity()), 0.0, 0.0});
    std::size_t accepted_same = 0;
    std::size_t accepted_different = 0;
    for (std::size_t i = 0; i < sorted.size();) {
        const double value = sorted[i].score;
        for (; i < sorted.size() && sorted[i].score == value; ++i)
            ++(sorted[i].same ? accepted_same : accepted_different);
        curve.push_back({value,
                         static_cast<double>(accepted_different) / static_cast<double>(different_total),
                         static_cast<double>(accepted_same) / static_cast<double>(same_total)});
    }
    return curve;
}

inline roc_point tar_at_far(const std::vector<roc_point>& curve, double target_far) {
    if (curve.empty()) throw error(where("tar_at_far: empty ROC curve"));
    if (!(target_far >= 0.0))
        throw error(where("tar_at_far: target FAR " + std::to_string(target_far) + " is negative"));
    roc_point best = curve.front();
    for (const roc_point& p : curve) {
        if (p.far <= target_far && p.tar > best.tar) best = p;
    }
    return best;
}

inline double area_under_curve(const std::vector<roc_point>& curve) {
    double area = 0.0;
    for (std::size_t i = 1; i < curve.size(); ++i) {
        area += (curve[i].far - curve[i - 1].far) * (curve[i].tar + curve[i - 1].tar) / 2.0;
    }
    return area;
}

} // namespace jhr::eval
