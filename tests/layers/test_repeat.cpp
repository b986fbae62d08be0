#include "support/backends.hpp"
#include "support/gradient_check.hpp"

#include "jhr/layers/repeat.hpp"
#include "jhr/layers/residual_block.hpp"

JHR_TYPED_TEST("repeat: zero layers is the identity", B) {
    jhr::repeat<jhr::residual_block<B>> none(0, [](int) { return jhr::residual_block<B>(2); });
    const jhr::tensor<B> x(jhr::shape{1, 2, 3, 3}, 1.5f);
    CHECK(&none.forward(x) == &x);
    CHECK(none.output_shape(x.shape()) == x.shape());
}

JHR_TYPED_TEST("repeat: gradients and names through two blocks", B) {
    jhr::rng r(23);
    jhr::repeat<jhr::residual_block<B>> blocks(2, [](int) { return jhr::residual_block<B>(2); });
    blocks.initialize(r);
    // Slopes of 1 make the blocks polynomial (see test_residual_block.cpp), so the check is exact.
    blocks.for_each_parameter([](std::string_view name, jhr::parameter<B>& p) {
        if (name.ends_with("alpha")) p.value.fill(1.0f);
    });
    jhr::testing::check_layer_gradients<B>(blocks, {2, 2, 4, 4}, r, {.eps = 5e-2f});
    std::vector<std::string> names;
    blocks.for_each_parameter([&](std::string_view n, jhr::parameter<B>&) { names.emplace_back(n); });
    CHECK(names.size() == 12);
    CHECK(names[6] == "1.conv1.weight");
    CHECK_THROWS_AS(jhr::repeat<jhr::residual_block<B>>(-1, [](int) { return jhr::residual_block<B>(2); }),
                    jhr::shape_error);
}
