// jhr/backends/reference/loss.hpp: the loss primitives and the center update on the host.
// Every loss writes *value = value_scale * its sum over the batch (in double); the gradient output
// (nullable) is grad_scale times the derivative of that sum, so the loss classes choose sum or mean.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace jhr::backends {

struct host_loss {
    // Sum: sum_i -log softmax(z_i)[label_i]; dz = grad_scale * (softmax(z) - onehot(label)).
    static void softmax_cross_entropy(std::size_t rows, std::size_t classes, const float* logits,
                                      const std::int32_t* labels, double value_scale, float grad_scale,
                                      float* dlogits, double* value) {
        double loss = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            const float* z = logits + r * classes;
            const float top = *std::max_element(z, z + classes);
            double denom = 0;
            for (std::size_t c = 0; c < classes; ++c) denom += std::exp(double(z[c]) - top);
            const double log_denom = std::log(denom);
            loss -= double(z[labels[r]]) - top - log_denom;
            if (dlogits)
                for (std::size_t c = 0; c < classes; ++c) {
                    const double p = std::exp(double(z[c]) - top - log_denom);
                    dlogits[r * classes + c] =
                        float(grad_scale * (p - (std::int32_t(c) == labels[r] ? 1.0 : 0.0)));
                }
        }
        *value = value_scale * loss;
    }
    // Sum: sum_i 1/2 ||x_i - m_{label_i}||^2; dx = grad_scale * (x_i - m_{label_i}) (centers fixed).
    static void center_distance(std::size_t rows, std::size_t dim, const float* x, const std::int32_t* labels,
                                const float* centers, double value_scale, float grad_scale, float* dx,
                                double* value) {
        double loss = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            const float* m = centers + std::size_t(labels[r]) * dim;
            for (std::size_t d = 0; d < dim; ++d) {
                const float diff = x[r * dim + d] - m[d];
                loss += 0.5 * double(diff) * diff;
                if (dx) dx[r * dim + d] = grad_scale * diff;
            }
        }
        *value = value_scale * loss;
    }
    // m_j -= gamma * sum_{i: label_i = j} (m_j - x_i) / (1 + n_j), n_j = count of label j in the batch;
    // classes absent from the batch are untouched. All deltas use the centers from before the call.
    static void center_update(std::size_t rows, std::size_t dim, const float* x, const std::int32_t* labels,
                              float gamma, float* centers) {
        std::vector<std::int32_t> classes(labels, labels + rows);
        std::sort(classes.begin(), classes.end());
        classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
        std::vector<double> delta(dim);
        for (const std::int32_t j : classes) {
            std::fill(delta.begin(), delta.end(), 0.0);
            float* m = centers + std::size_t(j) * dim;
            int count = 0;
            for (std::size_t r = 0; r < rows; ++r) {
                if (labels[r] != j) continue;
                ++count;
                for (std::size_t d = 0; d < dim; ++d) delta[d] += double(m[d]) - x[r * dim + d];
            }
            for (std::size_t d = 0; d < dim; ++d) m[d] -= float(gamma * delta[d] / (1.0 + count));
        }
    }
    // Sum: sum (y - t)^2; dy = grad_scale * (y - t).
    static void squared_difference(std::size_t n, const float* y, const float* t, double value_scale,
                                   float grad_scale, float* dy, double* value) {
        double loss = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const float diff = y[i] - t[i];
            loss += double(diff) * diff;
            if (dy) dy[i] = grad_scale * diff;
        }
        *value = value_scale * loss;
    }
};

} // namespace jhr::backends
