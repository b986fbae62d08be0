// jhr/core/tensor.hpp: an NCHW tensor (fp32, or bfloat16 in nhwc_bf16) whose storage lives in a
// backend's memory.
//
// tensor<B> owns a B::buffer<float>, a shape and the layout of its elements (core/layout.hpp; nchw
// unless a BlockedLayouts backend's layer chose otherwise; in nhwc_bf16 the buffer holds two
// bfloat16 elements per float, read only by functions that are told the layout). resize() keeps
// the allocation when the new shape fits, so layers can reuse their outputs from step to step
// without allocating. Host access goes through xtensor containers in nchw (from_host / to_host),
// which copy across the host/backend boundary and convert the layout.
#pragma once

#include "jhr/core/backend.hpp"
#include "jhr/core/shape.hpp"

#include <xtensor/xtensor.hpp>

#include <span>
#include <string>
#include <utility>
#include <vector>

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
    jhr::layout layout() const { return layout_; }
    std::size_t size() const { return shape_.size(); }
    bool empty() const { return size() == 0; }
    float* data() { return storage_.data(); }
    const float* data() const { return storage_.data(); }

    // Changes the shape and layout; reallocates only when the new size exceeds the current
    // capacity. Contents are unspecified afterwards.
    void resize(const jhr::shape& s, jhr::layout l = jhr::layout::nchw) {
        if (!fits(l, s.c))
            throw shape_error("tensor: " + s.str() + " cannot be stored in layout " + std::string(name(l)));
        const std::size_t floats = storage_floats(l, s.size());
        if (floats > storage_.size()) storage_ = typename B::template buffer<float>(floats);
        shape_ = s;
        layout_ = l;
    }
    // Gives the storage back (to the backend's allocator cache) and becomes empty.
    void release() {
        storage_ = typename B::template buffer<float>();
        shape_ = jhr::shape{};
        layout_ = jhr::layout::nchw;
    }
    // Reinterprets the same elements under another shape of equal size (nchw tensors only).
    void reshape(const jhr::shape& s) {
        if (s.size() != size())
            throw shape_error("tensor::reshape: " + shape_.str() + " has " + std::to_string(size()) +
                              " elements, " + s.str() + " needs " + std::to_string(s.size()));
        if (layout_ != jhr::layout::nchw)
            throw shape_error("tensor::reshape: " + shape_.str() + " is stored " +
                              std::string(name(layout_)) + "; convert it to nchw first");
        shape_ = s;
    }
    // Sets every element to value (fp32 layouts only).
    void fill(float value) {
        if (bfloat16_elements(layout_))
            throw shape_error("tensor::fill: " + shape_.str() + " is stored " + std::string(name(layout_)) +
                              "; fill an fp32 tensor");
        B::fill(size(), value, data());
    }

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
        if (layout_ != jhr::layout::nchw) {
            tensor plain;
            convert_layout(*this, jhr::layout::nchw, plain);
            return plain.to_host();
        }
        host_tensor h = host_tensor::from_shape(
            {std::size_t(shape_.n), std::size_t(shape_.c), std::size_t(shape_.h), std::size_t(shape_.w)});
        B::download(data(), std::span<float>(h.data(), h.size()));
        return h;
    }
    void copy_from(const tensor& other) {
        resize(other.shape(), other.layout());
        B::copy(storage_floats(layout_, size()), other.data(), data());
    }

private:
    jhr::shape shape_{};
    jhr::layout layout_ = jhr::layout::nchw;
    typename B::template buffer<float> storage_{};
};

// y = x stored in layout l (resized; a copy when x is in l already).
template <Backend B>
void convert_layout(const tensor<B>& x, layout l, tensor<B>& y) {
    y.resize(x.shape(), l);
    if (x.layout() == l) {
        B::copy(storage_floats(l, x.size()), x.data(), y.data());
    } else if constexpr (BlockedLayouts<B>) {
        B::relayout(x.shape(), x.layout(), x.data(), l, y.data());
    } else {
        throw backend_error("tensor: " + std::string(B::name) + " cannot convert " +
                            std::string(name(x.layout())) + " to " + std::string(name(l)));
    }
}

// x itself when it is stored in layout l, else its copy in `scratch`.
template <Backend B>
const tensor<B>& in_layout(const tensor<B>& x, layout l, tensor<B>& scratch) {
    if (x.layout() == l) return x;
    convert_layout(x, l, scratch);
    return scratch;
}

// y += x (of y's shape), x first converted to y's layout in `scratch` where it differs.
template <Backend B>
void accumulate(const tensor<B>& x, tensor<B>& y, tensor<B>& scratch) {
    expect_shape(y.shape(), x.shape(), "accumulate: added tensor");
    const tensor<B>& term = in_layout(x, y.layout(), scratch);
    if (!bfloat16_elements(y.layout())) return B::add(y.size(), term.data(), y.data(), y.data());
    if constexpr (Bfloat16Activations<B>)
        B::add_bfloat16(y.size(), term.data(), y.data(), y.data());
    else
        throw backend_error("accumulate: " + std::string(B::name) + " cannot add tensors stored " +
                            std::string(name(y.layout())));
}

// Integer class labels in backend memory, one per sample, with a host copy so that they can be
// checked without reading the backend's memory back.
template <Backend B>
class label_tensor {
public:
    label_tensor() = default;
    explicit label_tensor(std::span<const std::int32_t> host) { assign(host); }

    // Uploads the labels (reallocating only when they outgrow the storage) and keeps their copy.
    void assign(std::span<const std::int32_t> host) {
        if (host.size() > storage_.size()) storage_ = typename B::template buffer<std::int32_t>(host.size());
        host_.assign(host.begin(), host.end());
        B::upload(host, storage_.data());
    }
    std::size_t size() const { return host_.size(); }
    const std::int32_t* data() const { return storage_.data(); }
    // The labels last assigned, on the host.
    std::span<const std::int32_t> host() const { return host_; }

private:
    std::vector<std::int32_t> host_;
    typename B::template buffer<std::int32_t> storage_{};
};

} // namespace jhr
