// jhr/layers/parameter.hpp: a trainable parameter (value and gradient) and its initialisers.
//
// Layers own their parameters and expose them through for_each_parameter(visitor), where the
// visitor receives (name, parameter&) with names relative to the layer ("weight", "bias",
// "alpha"); containers prefix their children's names ("3.1.conv1.weight"). backward() writes the
// gradient (it does not accumulate). `decay` says whether weight decay applies (off for biases
// and PReLU slopes).
#pragma once

#include "jhr/core/random.hpp"
#include "jhr/core/tensor.hpp"

#include <cmath>
#include <string>
#include <string_view>

namespace jhr {

template <Backend B>
struct parameter {
    tensor<B> value;
    tensor<B> grad;
    bool decay = true;

    parameter() = default;
    parameter(const jhr::shape& s, bool decay_applies)
        : value(s, 0.0f), grad(s, 0.0f), decay(decay_applies) {}
};

// Xavier/Glorot uniform as Caffe fills it: U(-sqrt(3 / fan_in), sqrt(3 / fan_in)).
template <Backend B>
void fill_xavier(parameter<B>& p, int fan_in, rng& r) {
    host_tensor h = p.value.to_host();
    const double bound = std::sqrt(3.0 / fan_in);
    for (float& v : h) v = float(uniform(r, -bound, bound));
    p.value.assign(h);
}

// Visits (prefix + "." + name, parameter) for a child's parameters.
template <class Visitor>
auto prefixed(std::string prefix, Visitor& visit) {
    return [prefix = std::move(prefix), &visit](std::string_view name, auto& p) {
        visit(prefix + "." + std::string(name), p);
    };
}

} // namespace jhr
