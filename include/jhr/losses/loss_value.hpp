// jhr/losses/loss_value.hpp: a loss's value as one double in backend memory, where the backend's
// loss functions write it, so that evaluating a loss never waits for the device.
#pragma once

#include "jhr/core/backend.hpp"

#include <span>

namespace jhr {

template <Backend B>
class loss_value {
public:
    loss_value() : storage_(1) {
        const double zero = 0;
        B::upload(std::span<const double>(&zero, 1), storage_.data());
    }

    double* data() { return storage_.data(); }
    // The value last written (0 before any); waits for the backend's queued work.
    double download() const {
        double value = 0;
        B::download(storage_.data(), std::span<double>(&value, 1));
        return value;
    }

private:
    typename B::template buffer<double> storage_;
};

} // namespace jhr
