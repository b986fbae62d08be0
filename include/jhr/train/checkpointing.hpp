// jhr/train/checkpointing.hpp: moving a network's parameters, head state and optimizer momenta
// into and out of a checkpoint (jhr/io/checkpoint.hpp).
//
// Weights are every parameter (names as for_each_parameter gives them) plus every head state
// ("center.centers"); momenta are named after their parameters. Restoring checks every name and
// shape first and changes nothing on a mismatch.
#pragma once

#include "jhr/io/checkpoint.hpp"
#include "jhr/optim/sgd.hpp"

#include <map>

namespace jhr {

template <Backend B>
named_array to_named_array(const std::string& name, const tensor<B>& t) {
    const host_tensor h = t.to_host();
    const shape& s = t.shape();
    return {name, {s.n, s.c, s.h, s.w}, std::vector<float>(h.begin(), h.end())};
}

template <Backend B>
void assign_named_array(tensor<B>& t, const named_array& a) {
    host_tensor h = host_tensor::from_shape({std::size_t(a.shape[0]), std::size_t(a.shape[1]), std::size_t(a.shape[2]),
                                             std::size_t(a.shape[3])});
    std::copy(a.values.begin(), a.values.end(), h.begin());
    t.assign(h);
}

// Every named tensor a network checkpoints: parameters, then head state.
template <Backend B, class Net, class Visitor>
void for_each_checkpointed(Net& net, Visitor&& visit) {
    net.for_each_parameter([&](std::string_view name, parameter<B>& p) { visit(std::string(name), p.value); });
    net.for_each_state([&](std::string_view name, tensor<B>& t) { visit(std::string(name), t); });
}

template <Backend B, class Net>
std::vector<named_array> collect_weights(Net& net) {
    std::vector<named_array> out;
    for_each_checkpointed<B>(net, [&](const std::string& name, tensor<B>& t) { out.push_back(to_named_array(name, t)); });
    return out;
}

template <Backend B>
std::vector<named_array> collect_momenta(sgd<B>& opt) {
    std::vector<named_array> out;
    for (auto& g : opt.groups())
        for (auto& e : g.entries) out.push_back(to_named_array(e.name, e.velocity));
    return out;
}

namespace detail {
template <Backend B>
std::vector<std::int64_t> dims(const tensor<B>& t) {
    const shape& s = t.shape();
    return {s.n, s.c, s.h, s.w};
}
inline std::map<std::string, const named_array*> by_name(const std::vector<named_array>& arrays) {
    std::map<std::string, const named_array*> out;
    for (const auto& a : arrays) out[a.name] = &a;
    return out;
}
} // namespace detail

// Loads weights (and head state) into `net`; throws shape_error listing every mismatch first.
template <Backend B, class Net>
void restore_weights(Net& net, const std::vector<named_array>& weights) {
    std::map<std::string, std::vector<std::int64_t>> expected;
    for_each_checkpointed<B>(net, [&](const std::string& name, tensor<B>& t) { expected[name] = detail::dims(t); });
    verify_names_and_shapes(weights, expected, "weights");
    const auto named = detail::by_name(weights);
    for_each_checkpointed<B>(net, [&](const std::string& name, tensor<B>& t) { assign_named_array(t, *named.at(name)); });
}

template <Backend B>
void restore_momenta(sgd<B>& opt, const std::vector<named_array>& momenta) {
    std::map<std::string, std::vector<std::int64_t>> expected;
    for (auto& g : opt.groups())
        for (auto& e : g.entries) expected[e.name] = detail::dims(e.velocity);
    verify_names_and_shapes(momenta, expected, "momenta");
    const auto named = detail::by_name(momenta);
    for (auto& g : opt.groups())
        for (auto& e : g.entries) assign_named_array(e.velocity, *named.at(e.name));
}

} // namespace jhr
