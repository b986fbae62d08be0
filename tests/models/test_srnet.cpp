#include "support/backends.hpp"

#include "jhr/models/srnet.hpp"

#include <doctest/doctest.h>

namespace {
template <class Net>
std::size_t parameter_count(Net& net) {
    std::size_t n = 0;
    net.for_each_parameter([&](std::string_view, auto& p) { n += p.value.size(); });
    return n;
}
} // namespace

JHR_TYPED_TEST("srnet: Table 1 shapes and parameter count", B) {
    auto net = jhr::make_srnet<B>();
    // 124x108 face -> 116x100 (9x9 pad 0 takes 4 px per side, the 1x1 layers keep size).
    CHECK(net.output_shape({16, 3, 124, 108}) == jhr::shape{16, 3, 116, 100});
    // 3*64*81 + 64 + 64*32 + 32 + 32*3 + 3, as PyTorch counts the same layers.
    CHECK(parameter_count(net) == 17795);
    CHECK(jhr::srnet_options{}.border() == 4);
}
