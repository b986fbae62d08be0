// jhr/layers/sequential.hpp: a flat, compile-time list of layers applied in order.
//
// sequential<B, L0, L1, ...> stores the layers in a std::tuple; forward and backward recurse over
// it at compile time, so the type stays one level deep however long the network is. Child
// parameters are named "<index>.<name>". A layer's output is released as soon as the next layer
// has run when that layer's backward does not read it (a max-pool after an activation). A layer
// that can hand work to the next one (conv2d::forward_then: a convolution's bias to the activation
// after it) runs with it through forward_pair.
// Satisfies Layer itself, so sequentials can be nested when useful.
#pragma once

#include "jhr/layers/layer.hpp"

#include <tuple>
#include <type_traits>
#include <utility>

namespace jhr {

template <Backend B, class... Layers>
requires(Layer<Layers, B>&&...) class sequential {
public:
    explicit sequential(Layers... layers) : layers_(std::move(layers)...) {}

    shape output_shape(const shape& in) const {
        shape s = in;
        std::apply([&](const auto&... layer) { ((s = layer.output_shape(s)), ...); }, layers_);
        return s;
    }
    const tensor<B>& forward(const tensor<B>& x) { return forward_from<0>(x); }
    const tensor<B>& backward(const tensor<B>& dy) { return backward_from<sizeof...(Layers)>(dy); }
    // Gradients inside are released during backward; the one returned belongs to the first layer.
    void release_input_gradient() {
        if constexpr (sizeof...(Layers) > 0) jhr::release_input_gradient(std::get<0>(layers_));
    }
    template <class Visitor>
    void for_each_parameter(Visitor&& visit) {
        visit_children(visit, std::index_sequence_for<Layers...>{});
    }
    void initialize(rng& r) {
        std::apply([&](auto&... layer) { (layer.initialize(r), ...); }, layers_);
    }

    template <std::size_t I>
    auto& get() {
        return std::get<I>(layers_);
    }
    static constexpr std::size_t size() { return sizeof...(Layers); }

private:
    // A layer that hands work to the next one (forward_pair) runs with it as one step; the next
    // layer reads its input in backward, so the output between them stays.
    template <std::size_t I>
    const tensor<B>& forward_from(const tensor<B>& x) {
        if constexpr (I == sizeof...(Layers)) {
            return x;
        } else {
            auto& layer = std::get<I>(layers_);
            constexpr bool pair = pairs_with_next<I>();
            const tensor<B>& y = [&]() -> const tensor<B>& {
                if constexpr (pair)
                    return forward_pair(layer, std::get<I + 1>(layers_), x);
                else
                    return layer.forward(x);
            }();
            if constexpr (I > 0 && !reads_input_in_backward<std::remove_cvref_t<decltype(layer)>>())
                if (&y != &x) jhr::release_output(std::get<I - 1>(layers_));
            return forward_from<I + (pair ? 2 : 1)>(y);
        }
    }
    template <std::size_t I>
    static constexpr bool pairs_with_next() {
        if constexpr (I + 1 >= sizeof...(Layers)) {
            return false;
        } else {
            using layer_type = std::tuple_element_t<I, std::tuple<Layers...>>;
            using next_type = std::tuple_element_t<I + 1, std::tuple<Layers...>>;
            constexpr bool hands_work = requires(layer_type & layer, next_type & next, const tensor<B>& x) {
                layer.forward_then(next, x);
            };
            return hands_work && reads_input_in_backward<next_type>();
        }
    }
    // Layer I - 1's backward consumes dy, the gradient layer I returned, which is then released
    // unless layer I - 1 passed it through as its own (an empty repeat).
    template <std::size_t I>
    const tensor<B>& backward_from(const tensor<B>& dy) {
        if constexpr (I == 0) {
            return dy;
        } else {
            const tensor<B>& dx = std::get<I - 1>(layers_).backward(dy);
            if constexpr (I < sizeof...(Layers))
                if (&dx != &dy) jhr::release_input_gradient(std::get<I>(layers_));
            return backward_from<I - 1>(dx);
        }
    }
    template <class Visitor, std::size_t... I>
    void visit_children(Visitor& visit, std::index_sequence<I...>) {
        (std::get<I>(layers_).for_each_parameter(prefixed(std::to_string(I), visit)), ...);
    }

    std::tuple<Layers...> layers_;
};

} // namespace jhr
