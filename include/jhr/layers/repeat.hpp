// jhr/layers/repeat.hpp: a run-time number of layers of one type applied in order, so block
// counts can be configuration (the paper's 1/2/5/3 residual blocks) without deepening the type.
// An empty repeat is the identity. Child parameters are named "<index>.<name>".
#pragma once

#include "jhr/layers/layer.hpp"

#include <iterator>
#include <vector>

namespace jhr {

template <class L>
class repeat {
public:
    template <class Factory>
    repeat(int count, Factory&& make) {
        if (count < 0) throw shape_error("repeat: negative count " + std::to_string(count));
        layers_.reserve(count);
        for (int i = 0; i < count; ++i) layers_.push_back(make(i));
    }

    shape output_shape(const shape& in) const {
        shape s = in;
        for (const L& layer : layers_) s = layer.output_shape(s);
        return s;
    }
    template <class Tensor>
    const Tensor& forward(const Tensor& x) {
        const Tensor* current = &x;
        for (L& layer : layers_) current = &layer.forward(*current);
        return *current;
    }
    // Each layer's gradient is released once the layer below has consumed it (not passed it through).
    template <class Tensor>
    const Tensor& backward(const Tensor& dy) {
        const Tensor* current = &dy;
        for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
            const Tensor* consumed = current;
            current = &it->backward(*consumed);
            if (it != layers_.rbegin() && current != consumed) jhr::release_input_gradient(*std::prev(it));
        }
        return *current;
    }
    void release_input_gradient() {
        if (!layers_.empty()) jhr::release_input_gradient(layers_.front());
    }
    template <class Visitor>
    void for_each_parameter(Visitor&& visit) {
        for (std::size_t i = 0; i < layers_.size(); ++i)
            layers_[i].for_each_parameter(prefixed(std::to_string(i), visit));
    }
    template <class Rng>
    void initialize(Rng& r) {
        for (L& layer : layers_) layer.initialize(r);
    }
    std::size_t size() const { return layers_.size(); }
    L& operator[](std::size_t i) { return layers_[i]; }

private:
    std::vector<L> layers_;
};

} // namespace jhr
