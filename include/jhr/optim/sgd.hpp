// jhr/optim/sgd.hpp: stochastic gradient descent with momentum and weight decay over parameter
// groups with their own learning rates (the paper trains SRNET and FRNET at different rates).
//
// Per parameter, Caffe's update (the paper's implementation is Caffe):
//   v = momentum * v + lr * (g + decay * w),  w -= v,
// with lr = group learning rate * schedule factor, and decay = weight_decay for parameters whose
// `decay` flag is set (weights), 0 otherwise (biases, PReLU slopes). Velocities start at zero and
// are named "<parameter name>" for checkpoints.
#pragma once

#include "jhr/layers/parameter.hpp"

#include <string>
#include <vector>

namespace jhr {

struct sgd_options {
    float momentum = 0.9f;
    float weight_decay = 5e-4f;
};

template <Backend B>
class sgd {
public:
    struct entry {
        std::string name;
        parameter<B>* param;
        tensor<B> velocity;
    };
    struct group {
        std::string name;
        float learning_rate;
        std::vector<entry> entries;
    };

    explicit sgd(sgd_options o = {}) : options_(o) {}

    // Adds every parameter a network or head exposes as one group, its names prefixed by
    // `prefix.` (unprefixed when `prefix` is empty).
    template <class Module>
    void add_group(const std::string& name, float learning_rate, Module& module, const std::string& prefix) {
        group g{name, learning_rate, {}};
        module.for_each_parameter([&](std::string_view param_name, parameter<B>& p) {
            std::string full =
                prefix.empty() ? std::string(param_name) : prefix + "." + std::string(param_name);
            g.entries.push_back({std::move(full), &p, tensor<B>(p.value.shape(), 0.0f)});
        });
        groups_.push_back(std::move(g));
    }

    // One update of every parameter from its current gradient; lr_factor comes from the schedule.
    // A BatchedSgd backend updates them all in one call.
    void step(double lr_factor = 1.0) {
        batch_.clear();
        for (group& g : groups_) {
            const float lr = float(g.learning_rate * lr_factor);
            for (entry& e : g.entries) {
                const sgd_parameter p{e.param->value.size(),
                                      lr,
                                      e.param->decay ? options_.weight_decay : 0.0f,
                                      e.param->value.data(),
                                      e.param->grad.data(),
                                      e.velocity.data()};
                if constexpr (BatchedSgd<B>)
                    batch_.push_back(p);
                else
                    B::sgd_momentum_update(p.size, p.lr, options_.momentum, p.weight_decay, p.w, p.dw,
                                           p.velocity);
            }
        }
        if constexpr (BatchedSgd<B>) B::sgd_momentum_update_all(batch_, options_.momentum);
    }

    std::vector<group>& groups() { return groups_; }
    const sgd_options& options() const { return options_; }

private:
    sgd_options options_;
    std::vector<group> groups_;
    std::vector<sgd_parameter> batch_; // step()'s list for a BatchedSgd backend, kept to reuse its memory
};

} // namespace jhr
