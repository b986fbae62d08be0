#include "support/backends.hpp"
#include "support/gradient_check.hpp"
#include "support/tiny_models.hpp"

#include <doctest/doctest.h>

#include "jhr/optim/sgd.hpp"

JHR_TYPED_TEST("joint_model: names, heads and the paper's loss weights", B) {
    jhr::joint_model_options paper;
    paper.classes = 10;
    CHECK(paper.loss.beta1 == 1.0f);
    CHECK(paper.loss.beta2 == 0.008f);
    auto net = jhr::make_joint_model<B>(jhr::testing::tiny_joint_options(5));
    CHECK(net.head_names() == std::array<std::string, 3>{"pixel", "softmax", "center"});
    std::vector<std::string> names, states;
    net.for_each_parameter([&](std::string_view n, jhr::parameter<B>&) { names.emplace_back(n); });
    net.for_each_state([&](std::string_view n, jhr::tensor<B>& t) {
        states.emplace_back(n);
        CHECK(t.shape() == jhr::shape{5, 6, 1, 1});
    });
    CHECK(names.front() == "srnet.0.weight");
    CHECK(std::find(names.begin(), names.end(), "frnet.3.0.conv1.weight") != names.end());
    CHECK(names.back() == "softmax.classifier.bias");
    CHECK(states == std::vector<std::string>{"center.centers"});
    CHECK_THROWS_AS(jhr::make_joint_model<B>(jhr::joint_model_options{}), jhr::error);
}

JHR_TYPED_TEST("joint_model: SRNET's output feeds FRNET and the pixel target is SRNET-sized", B) {
    auto net = jhr::make_joint_model<B>(jhr::testing::tiny_joint_options(3));
    jhr::rng r(3);
    net.initialize(r);
    const jhr::tensor<B> x(jhr::shape{2, 3, 50, 50}, 0.1f);
    CHECK(net.forward(x).shape() == jhr::shape{2, 6, 1, 1});
    CHECK(net.output(0).shape() == jhr::shape{2, 3, 48, 48});
    const jhr::tensor<B> wrong(jhr::shape{2, 3, 50, 50}, 0.0f);
    const std::vector<std::int32_t> labels{0, 1};
    CHECK_THROWS_AS(net.train_step(x, {&wrong, labels}), jhr::shape_error);
}

#if !defined(__SANITIZE_ADDRESS__) // the host block cache is off under AddressSanitizer
JHR_TYPED_TEST("joint_model: a warm training step takes no storage block from the system", B) {
    // Wide enough that activations and gradients include large blocks (>= 1 MiB) as well as small
    // ones: released gradients and activations must come back from the block cache on every later step.
    auto o = jhr::testing::tiny_joint_options(4);
    o.srnet = {3, 16, 8, 3};
    o.frnet.widths = {16, 16, 16, 16};
    auto net = jhr::make_joint_model<B>(o);
    jhr::rng r(9);
    net.initialize(r);
    jhr::sgd<B> opt({0.9f, 5e-4f});
    opt.add_group("all", 0.01f, net, "");
    const auto x = jhr::tensor<B>::from_host(jhr::testing::random_host({8, 3, 50, 50}, r));
    const jhr::tensor<B> target(jhr::shape{8, 3, 48, 48}, 0.5f);
    const std::vector<std::int32_t> labels{0, 1, 2, 3, 0, 1, 2, 3};
    const jhr::targets<B> t{&target, labels};
    auto step = [&] {
        net.train_step(x, t);
        opt.step();
        net.after_step(t);
    };
    step();
    step();
    const std::size_t warm = jhr::testing::storage_blocks_from_system<B>();
    for (int i = 0; i < 3; ++i) step();
    CHECK(jhr::testing::storage_blocks_from_system<B>() == warm);
    CHECK(warm > 0); // the first steps did take blocks from the system
}
#endif
