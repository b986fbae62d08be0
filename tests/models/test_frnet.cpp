#include "support/backends.hpp"

#include "jhr/models/frnet.hpp"

#include <doctest/doctest.h>

JHR_TYPED_TEST("frnet: Table 2 shapes and parameter count", B) {
    auto net = jhr::make_frnet<B>();
    CHECK(jhr::frnet_final_maps({}) == jhr::shape{1, 512, 5, 4});
    CHECK(net.output_shape({2, 3, 116, 100}) == jhr::shape{2, 512, 1, 1});
    std::size_t count = 0;
    std::vector<std::string> names;
    net.for_each_parameter([&](std::string_view name, jhr::parameter<B>& p) {
        count += p.value.size();
        names.emplace_back(name);
    });
    // The same layers built in PyTorch (conv, PReLU, pool, residual blocks, linear 10240 -> 512)
    // have 27,525,440 parameters.
    CHECK(count == 27525440);
    CHECK(names.front() == "0.weight");
    CHECK(std::find(names.begin(), names.end(), "11.4.conv2.weight") != names.end()); // 5th block of stage 3
    CHECK(names.back() == "16.bias");
}

TEST_CASE("frnet: an input too small for four stages is a shape error") {
    jhr::frnet_options o;
    o.input_height = 20;
    CHECK_THROWS_AS(jhr::frnet_final_maps(o), jhr::shape_error);
}
