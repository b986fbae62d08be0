// jhr/eval/pca.hpp: principal component analysis of feature rows, as used before cosine scoring.
//
// Represents: a mean vector m (d), an orthonormal basis W (d x k, one component per column, in order
// of decreasing variance) and the variance along each component. transform(X) = (X - m) W, optionally
// divided column-wise by sqrt(variance) ("whitening", off by default: the paper does not mention it,
// and with it off and k = d the projection is only a rotation of the centred features, so cosine
// scores equal those of the centred features).
// Conventions: variance is the sample variance (divide by n - 1), as numpy.cov and
// sklearn's explained_variance_; each component's sign is chosen so that its entry of largest
// magnitude is positive (first such entry on a tie), making results deterministic.
// Requires: at least 2 finite rows to fit; k <= d. Ensures: components are orthonormal.
#pragma once

#include "jhr/core/error.hpp"
#include "jhr/eval/features.hpp"

#include <Eigen/Dense>

#include <cmath>
#include <optional>
#include <string>

namespace jhr::eval {

// How the principal axes are computed; both give the same result up to rounding.
//   covariance_eigen: self-adjoint eigen-decomposition of the d x d covariance (fast when n >> d).
//   svd: singular value decomposition of the centred n x d data (more accurate when ill-conditioned).
enum class pca_solver { covariance_eigen, svd };

// Number of components kept: `components` if set, otherwise the smallest k whose cumulative explained
// variance ratio reaches `variance_fraction` (1.0 keeps all d components).
struct pca_options {
    std::optional<Eigen::Index> components = std::nullopt;
    double variance_fraction = 1.0;
    bool whiten = false;
    pca_solver solver = pca_solver::covariance_eigen;
};

class pca {
public:
    // Fits on `rows` (n x d). Throws shape_error when n < 2 or k is not in [1, d]; jhr::error when
    // variance_fraction is not in (0, 1], on non-finite input, or when whitening a zero-variance
    // component.
    static pca fit(const Eigen::MatrixXd& rows, const pca_options& options = {});

    // (rows - mean) * components, whitened if fitted so. Throws shape_error on a column count != d.
    Eigen::MatrixXd transform(const Eigen::MatrixXd& rows) const;

    const Eigen::RowVectorXd& mean() const { return mean_; }
    const Eigen::MatrixXd& components() const { return components_; }
    const Eigen::VectorXd& explained_variance() const { return explained_variance_; }
    // explained_variance / total variance over all d directions.
    Eigen::VectorXd explained_variance_ratio() const { return explained_variance_ / total_variance_; }
    bool whitened() const { return whiten_; }

private:
    Eigen::RowVectorXd mean_;
    Eigen::MatrixXd components_;
    Eigen::VectorXd explained_variance_;
    double total_variance_ = 0.0;
    bool whiten_ = false;
};

// ---------------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------------

inline pca pca::fit(const Eigen::MatrixXd& rows, const pca_options& options) {
    const Eigen::Index n = rows.rows();
    const Eigen::Index d = rows.cols();
    if (n < 2 || d < 1) {
        throw shape_error(where("pca::fit: needs at least 2 rows and 1 column, got " + std::to_string(n) +
                                "x" + std::to_string(d)));
    }
    if (!(options.variance_fraction > 0.0 && options.variance_fraction <= 1.0)) {
        throw error(where("pca::fit: variance_fraction must be in (0, 1], got " +
                          std::to_string(options.variance_fraction)));
    }
    if (options.components && (*options.components < 1 || *options.components > d)) {
        throw shape_error(where("pca::fit: components = " + std::to_string(*options.components) +
                                " is not in [1, " + std::to_string(d) + "] for " + std::to_string(n) + "x" +
                                std::to_string(d) + " features"));
    }
    require_finite(rows, "pca::fit");

    pca result;
    result.mean_ = rows.colwise().mean();
    const Eigen::MatrixXd centred = rows.rowwise() - result.mean_;

    // All d axes with their variances, in decreasing order of variance.
    Eigen::MatrixXd axes(d, d);
    Eigen::VectorXd variances(d);
    if (options.solver == pca_solver::svd) {
        Eigen::BDCSVD<Eigen::MatrixXd> svd(centred, Eigen::ComputeFullV);
        const Eigen::VectorXd singular = svd.singularValues(); // min(n, d) values, decreasing
        variances.setZero();
        variances.head(singular.size()) = singular.array().square() / static_cast<double>(n - 1);
        axes = svd.matrixV();
    } else {
        Eigen::MatrixXd covariance = Eigen::MatrixXd::Zero(d, d);
        covariance.selfadjointView<Eigen::Lower>().rankUpdate(centred.transpose(),
                                                              1.0 / static_cast<double>(n - 1));
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(covariance.selfadjointView<Eigen::Lower>());
        if (eigen.info() != Eigen::Success) {
            throw error(where("pca::fit: eigen-decomposition of the " + std::to_string(d) + "x" +
                              std::to_string(d) + " covariance did not converge"));
        }
        // Eigen returns increasing eigenvalues; reverse, and clamp rounding noise below zero.
        variances = eigen.eigenvalues().reverse().cwiseMax(0.0);
        axes = eigen.eigenvectors().rowwise().reverse();
    }

    result.total_variance_ = variances.sum();
    Eigen::Index k = d;
    if (options.components) {
        k = *options.components;
    } else if (options.variance_fraction < 1.0 && result.total_variance_ > 0.0) {
        double cumulative = 0.0;
        for (k = 0; k < d;) {
            cumulative += variances(k++);
            if (cumulative >= options.variance_fraction * result.total_variance_) break;
        }
    }

    result.components_ = axes.leftCols(k);
    for (Eigen::Index c = 0; c < k; ++c) {
        Eigen::Index largest = 0;
        result.components_.col(c).cwiseAbs().maxCoeff(&largest);
        if (result.components_(largest, c) < 0.0) result.components_.col(c) *= -1.0;
    }
    result.explained_variance_ = variances.head(k);
    result.whiten_ = options.whiten;
    if (options.whiten) {
        const double floor = 1e-12 * std::max(variances(0), 1e-300);
        for (Eigen::Index c = 0; c < k; ++c) {
            if (!(result.explained_variance_(c) > floor)) {
                throw error(where("pca::fit: cannot whiten component " + std::to_string(c) + " of " +
                                  std::to_string(k) + ": its variance " +
                                  std::to_string(result.explained_variance_(c)) + " is zero (fit on " +
                                  std::to_string(n) + " rows); keep fewer components"));
            }
        }
    }
    return result;
}

inline Eigen::MatrixXd pca::transform(const Eigen::MatrixXd& rows) const {
    if (rows.cols() != mean_.size()) {
        throw shape_error(where("pca::transform: features have " + std::to_string(rows.cols()) +
                                " columns, the PCA was fitted on " + std::to_string(mean_.size())));
    }
    Eigen::MatrixXd projected = (rows.rowwise() - mean_) * components_;
    if (whiten_) projected.array().rowwise() /= explained_variance_.transpose().array().sqrt();
    return projected;
}

} // namespace jhr::eval
