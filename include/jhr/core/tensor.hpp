// jhr/core/tensor.hpp: an NCHW float32 tensor whose storage lives in a backend's memory.
//
// tensor<B> owns a B::buffer<float> and a shape. resize() keeps the allocation when the new shape
// fits, so layers can reuse their outputs from step to step without allocating. Host access goes
// through xtensor containers (from_host / to_host), which copy across the host/backend boundary.
#pragma once

#include "jhr/core/backend.hpp"
#include "jhr/core/shape.hpp"

#include <xtensor/xtensor.hpp>

#include <span>
#include <utility>

namespace jhr {

using host_tensor = xt::xtensor<float, 4>;

template <Backend B>
class tensor {
public:
    using backend = B;

    tensor() = default;
    explicit tensor(const jhr::shape& s) : shape_(s), storage_(s.size()) {}
    tensor(const jhr::shape& s, float value) : tensor(s) { fill(value); }

    const jhr::shape& shape() const { return shape_; }
    std::size_t size() const { return shape_.size(); }
    bool empty() const { return size() == 0; }
    float* data() { return storage_.data(); }
    const float* data() const { return storage_.data(); }

    // Changes the shape; reallocates only when the new size exceeds the current capacity.
    // Contents are unspecified afterwards.
    void resize(const jhr::shape& s) {
        if (s.size() > storage_.size()) storage_ = typename B::template buffer<float>(s.size());
        shape_ = s;
    }
    // Gives the storage back (to the backend's allocator cache) and becomes empty.
    void release() {
        storage_ = typename B::template buffer<float>();
        shape_ = jhr::shape{};
    }
    // Reinterprets the same elements under another shape of equal size.
    void reshape(const jhr::shape& s) {
        if (s.size() != size())
            throw shape_error("tensor::reshape: " + shape_.str() + " has " + std::to_string(size()) +
                              " elements, " + s.str() + " needs " + std::to_string(s.size()));
        shape_ = s;
    }
    void fill(float value) { B::fill(size(), value, data()); }

    static tensor from_host(const host_tensor& h) {
        tensor t(jhr::shape{int(h.shape(0)), int(h.shape(1)), int(h.shape(2)), int(h.shape(3))});
        B::upload(std::span<const float>(h.data(), h.size()), t.data());
        return t;
    }
    // Copies host data of the same shape into this tensor (resizing it).
    void assign(const host_tensor& h) {
        resize(jhr::shape{int(h.shape(0)), int(h.shape(1)), int(h.shape(2)), int(h.shape(3))});
        B::upload(std::span<const float>(h.data(), h.size()), data());
    }
    host_tensor to_host() const {
        host_tensor h = host_tensor::from_shape(
            {std::size_t(shape_.n), std::size_t(shape_.c), std::size_t(shape_.h), std::size_t(shape_.w)});
        B::download(data(), std::span<float>(h.data(), h.size()));
        return h;
    }
    void copy_from(const tensor& other) {
        resize(other.shape());
        B::copy(size(), other.data(), data());
    }

private:
    jhr::shape shape_{};
    typename B::template buffer<float> storage_{};
};

// Integer class labels in backend memory, one per sample.
template <Backend B>
class label_tensor {
public:
    label_tensor() = default;
    explicit label_tensor(std::span<const std::int32_t> host) { assign(host); }

    void assign(std::span<const std::int32_t> host) {
        if (host.size() > storage_.size()) storage_ = typename B::template buffer<std::int32_t>(host.size());
        size_ = host.size();
        B::upload(host, storage_.data());
    }
    std::size_t size() const { return size_; }
    const std::int32_t* data() const { return storage_.data(); }

private:
    std::size_t size_ = 0;
    typename B::template buffer<std::int32_t> storage_{};
};

} // namespace jhr
