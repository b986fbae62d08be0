#include "support/backends.hpp"

#include "jhr/core/tensor.hpp"

#include <doctest/doctest.h>

JHR_TYPED_TEST("tensor: host round trip keeps NCHW order", B) {
    jhr::host_tensor h = jhr::host_tensor::from_shape({2, 3, 4, 5});
    for (std::size_t i = 0; i < h.size(); ++i) h.data()[i] = float(i);
    const auto t = jhr::tensor<B>::from_host(h);
    CHECK(t.shape() == jhr::shape{2, 3, 4, 5});
    const jhr::host_tensor back = t.to_host();
    CHECK(back(1, 2, 3, 4) == float(((1 * 3 + 2) * 4 + 3) * 5 + 4));
    CHECK(back == h);
}

JHR_TYPED_TEST("tensor: resize reuses storage, reshape keeps the element count", B) {
    jhr::tensor<B> t(jhr::shape{4, 4, 4, 4}, 1.0f);
    const float* before = t.data();
    t.resize({2, 4, 4, 4});
    CHECK(t.data() == before);
    CHECK(t.size() == 128);
    t.reshape({128, 1, 1, 1});
    CHECK(t.shape() == jhr::shape{128, 1, 1, 1});
    CHECK_THROWS_AS(t.reshape({3, 1, 1, 1}), jhr::shape_error);
}

JHR_TYPED_TEST("tensor: fill and copy_from", B) {
    jhr::tensor<B> a(jhr::shape{1, 2, 2, 2}, 3.5f);
    jhr::tensor<B> b;
    b.copy_from(a);
    const auto h = b.to_host();
    for (float v : h) CHECK(v == 3.5f);
}

JHR_TYPED_TEST("label_tensor: uploads labels", B) {
    const std::vector<std::int32_t> labels{3, 1, 4};
    jhr::label_tensor<B> l(labels);
    CHECK(l.size() == 3);
    std::vector<std::int32_t> back(3);
    B::download(l.data(), std::span<std::int32_t>(back));
    CHECK(back == labels);
}

TEST_CASE("label_tensor: keeps a host copy of the labels last assigned") {
    jhr::label_tensor<jhr::reference> l(std::vector<std::int32_t>{3, 1, 4});
    CHECK(std::vector<std::int32_t>(l.host().begin(), l.host().end()) == std::vector<std::int32_t>{3, 1, 4});
    l.assign(std::vector<std::int32_t>{5, 9});
    CHECK(l.size() == 2);
    CHECK(std::vector<std::int32_t>(l.host().begin(), l.host().end()) == std::vector<std::int32_t>{5, 9});
    CHECK(l.data()[0] == 5);
    CHECK(l.data()[1] == 9);
}
