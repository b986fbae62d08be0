// Gradient release: containers free each inner input gradient once the layer below consumed it,
// and leave the one they return to their caller.
#include "support/backends.hpp"
#include "support/gradient_check.hpp"

#include <doctest/doctest.h>

#include "jhr/layers/max_pool2d.hpp"
#include "jhr/layers/prelu.hpp"
#include "jhr/layers/repeat.hpp"
#include "jhr/layers/sequential.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

// An identity layer that logs "b<id>" on backward and "r<id>" on release.
template <class B>
struct probe {
    probe(int i, std::shared_ptr<std::vector<std::string>> l) : id(i), log(std::move(l)) {}
    int id;
    std::shared_ptr<std::vector<std::string>> log;
    jhr::tensor<B> output, input_grad;

    jhr::shape output_shape(const jhr::shape& s) const { return s; }
    // "b3": what happened ('b' backward, 'r' release) to which probe (appended, not prepended:
    // GCC 12 warns falsely on "literal" + std::string&&).
    std::string entry(char what) const {
        std::string e(1, what);
        e += std::to_string(id);
        return e;
    }
    const jhr::tensor<B>& forward(const jhr::tensor<B>& x) {
        output.copy_from(x);
        return output;
    }
    const jhr::tensor<B>& backward(const jhr::tensor<B>& dy) {
        REQUIRE(!dy.empty()); // the gradient it consumes has not been released yet
        log->push_back(entry('b'));
        input_grad.copy_from(dy);
        return input_grad;
    }
    void release_input_gradient() {
        log->push_back(entry('r'));
        input_grad.release();
    }
    template <class Visitor>
    void for_each_parameter(Visitor&&) {}
    void initialize(jhr::rng&) {}
};

} // namespace

JHR_TYPED_TEST("sequential releases each inner gradient after the layer below consumed it", B) {
    auto log = std::make_shared<std::vector<std::string>>();
    jhr::sequential<B, probe<B>, probe<B>, probe<B>> net(probe<B>{0, log}, probe<B>{1, log},
                                                         probe<B>{2, log});
    const jhr::tensor<B> x(jhr::shape{1, 1, 2, 2}, 1.0f);
    net.forward(x);
    const jhr::tensor<B>& dx = net.backward(jhr::tensor<B>(jhr::shape{1, 1, 2, 2}, 2.0f));
    CHECK(*log == std::vector<std::string>{"b2", "b1", "r2", "b0", "r1"});
    CHECK(dx.to_host()(0, 0, 1, 1) == 2.0f); // the returned gradient is still there
    net.release_input_gradient();
    CHECK(log->back() == "r0");
    CHECK(dx.empty());
}

JHR_TYPED_TEST("sequential keeps a gradient an empty repeat passed through", B) {
    auto log = std::make_shared<std::vector<std::string>>();
    jhr::sequential<B, probe<B>, jhr::repeat<probe<B>>, probe<B>> net(
        probe<B>{0, log},
        jhr::repeat<probe<B>>(0,
                              [&](int) {
                                  return probe<B>{9, log};
                              }),
        probe<B>{2, log});
    const jhr::tensor<B> x(jhr::shape{1, 1, 2, 2}, 1.0f);
    net.forward(x);
    net.backward(jhr::tensor<B>(jhr::shape{1, 1, 2, 2}, 2.0f)); // probe 0 REQUIREs a live gradient
    CHECK(*log == std::vector<std::string>{"b2", "b0"});
}

JHR_TYPED_TEST("repeat releases each inner gradient after the layer below consumed it", B) {
    auto log = std::make_shared<std::vector<std::string>>();
    jhr::repeat<probe<B>> net(3, [&](int i) { return probe<B>{i, log}; });
    const jhr::tensor<B> x(jhr::shape{1, 1, 2, 2}, 1.0f);
    net.forward(x);
    const jhr::tensor<B>& dx = net.backward(jhr::tensor<B>(jhr::shape{1, 1, 2, 2}, 2.0f));
    CHECK(*log == std::vector<std::string>{"b2", "b1", "r2", "b0", "r1"});
    CHECK(dx.size() == 4);
    net.release_input_gradient();
    CHECK(log->back() == "r0");
}

JHR_TYPED_TEST("sequential releases an activation once a max-pool, which does not read it back, has run", B) {
    jhr::rng r(5);
    jhr::sequential<B, jhr::prelu<B>, jhr::max_pool2d<B>> net(jhr::prelu<B>(2), jhr::max_pool2d<B>());
    net.initialize(r);
    const auto x = jhr::tensor<B>::from_host(jhr::testing::random_host({2, 2, 4, 4}, r));
    const jhr::tensor<B>& activation = net.template get<0>().forward(x); // the prelu's output tensor
    CHECK_FALSE(activation.empty());
    const auto y = net.forward(x).to_host();
    CHECK(activation.empty());
    CHECK(y.size() == 16);
    // Gradients through both layers still agree with finite differences.
    jhr::testing::check_layer_gradients<B>(net, {2, 2, 4, 4}, r);
}
