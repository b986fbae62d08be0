#include "support/backends.hpp"

#include "jhr/core/tensor.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>

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

#if defined(JHR_HAVE_CUDA)
namespace {
// v rounded to bfloat16 (nearest, ties to even) and widened back: what nhwc_bf16 storage holds.
float bfloat16_value(float v) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    bits = (bits + 0x7fffu + ((bits >> 16) & 1u)) & 0xffff0000u;
    std::memcpy(&v, &bits, sizeof v);
    return v;
}
} // namespace

// Tensors in a bfloat16 layout (CUDA's nhwc_bf16) take half the storage, convert to and from the
// host through the backend, copy their bits, refuse fill, and add through accumulate.
TEST_CASE("tensor: nhwc_bf16 storage, conversion, copy and accumulate<jhr::cuda>" *
          doctest::skip(!jhr::cuda::available())) {
    using B = jhr::cuda;
    jhr::host_tensor h = jhr::host_tensor::from_shape({1, 3, 1, 3}); // 9 elements: an odd count
    for (std::size_t i = 0; i < h.size(); ++i) h.data()[i] = 0.1f + 1.37f * float(i);
    const auto t = jhr::tensor<B>::from_host(h);
    jhr::host_tensor rounded = h;
    for (float& v : rounded) v = bfloat16_value(v);
    REQUIRE(rounded != h);

    jhr::tensor<B> b;
    jhr::convert_layout(t, jhr::layout::nhwc_bf16, b);
    CHECK(b.layout() == jhr::layout::nhwc_bf16);
    CHECK(b.to_host() == rounded);

    jhr::tensor<B> c;
    c.copy_from(b);
    CHECK(c.to_host() == rounded);
    CHECK_THROWS_WITH_AS(c.fill(1.0f), doctest::Contains("stored nhwc-bf16"), jhr::shape_error);

    jhr::tensor<B> scratch;
    jhr::accumulate(b, c, scratch); // doubling is exact
    jhr::host_tensor doubled = rounded;
    for (float& v : doubled) v *= 2;
    CHECK(c.to_host() == doubled);
    jhr::accumulate(t, c, scratch); // t rounded into nhwc_bf16, then each sum rounded
    jhr::host_tensor expected = doubled;
    for (std::size_t i = 0; i < expected.size(); ++i)
        expected.data()[i] = bfloat16_value(doubled.data()[i] + rounded.data()[i]);
    CHECK(c.to_host() == expected);

    // 18 bfloat16 elements fit the 9 floats of an nchw tensor of 9.
    jhr::tensor<B> reused(jhr::shape{1, 1, 3, 3});
    const float* storage = reused.data();
    reused.resize({2, 1, 3, 3}, jhr::layout::nhwc_bf16);
    CHECK(reused.data() == storage);
}
#endif
