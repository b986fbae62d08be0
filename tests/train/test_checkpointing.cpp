#include "support/backends.hpp"
#include "train/support.hpp"

#include <doctest/doctest.h>

JHR_TYPED_TEST("checkpointing: weights and centers round trip; a different model is refused", B) {
    auto a = jhr::make_joint_model<B>(jhr::testing::tiny_joint_options(3));
    jhr::rng r(1);
    a.initialize(r);
    a.template head<2>().head.for_each_state([&](std::string_view, jhr::tensor<B>& m) { m.fill(0.25f); });
    const auto weights = jhr::collect_weights<B>(a);
    auto b = jhr::make_joint_model<B>(jhr::testing::tiny_joint_options(3));
    jhr::restore_weights<B>(b, weights);
    CHECK(jhr::collect_weights<B>(b).size() == weights.size());
    for (std::size_t i = 0; i < weights.size(); ++i)
        CHECK(jhr::collect_weights<B>(b)[i].values == weights[i].values);

    auto other = jhr::make_joint_model<B>(jhr::testing::tiny_joint_options(4)); // 4 classes
    CHECK_THROWS_WITH_AS(jhr::restore_weights<B>(other, weights),
                         doctest::Contains("softmax.classifier.weight"), jhr::shape_error);
}
