#include "support/backends.hpp"

#include "jhr/optim/sgd.hpp"

#include <doctest/doctest.h>

namespace {
// A module with one decayed weight and one undecayed bias, for the optimizer tests.
template <class B>
struct toy_module {
    jhr::parameter<B> weight{jhr::shape{1, 1, 1, 1}, true};
    jhr::parameter<B> bias{jhr::shape{1, 1, 1, 1}, false};
    template <class Visitor>
    void for_each_parameter(Visitor&& visit) {
        visit("weight", weight);
        visit("bias", bias);
    }
};
template <class B>
float value(const jhr::parameter<B>& p) {
    return p.value.to_host()(0, 0, 0, 0);
}
} // namespace

JHR_TYPED_TEST("sgd: two hand-computed momentum steps with weight decay", B) {
    // w0 = 1, g = 0.5, lr 0.1, momentum 0.9, decay 0.01:
    //   v1 = 0.1 (0.5 + 0.01) = 0.051,           w1 = 0.949
    //   v2 = 0.9 * 0.051 + 0.1 (0.5 + 0.00949) = 0.0968490, w2 = 0.852151
    // The bias (b0 = 1, no decay): v1 = 0.05, b1 = 0.95; v2 = 0.095, b2 = 0.855.
    toy_module<B> m;
    m.weight.value.fill(1.0f);
    m.bias.value.fill(1.0f);
    m.weight.grad.fill(0.5f);
    m.bias.grad.fill(0.5f);
    jhr::sgd<B> opt({0.9f, 0.01f});
    opt.add_group("all", 0.1f, m, "toy");
    opt.step();
    CHECK(value(m.weight) == doctest::Approx(0.949));
    CHECK(value(m.bias) == doctest::Approx(0.95));
    opt.step();
    CHECK(value(m.weight) == doctest::Approx(0.852151));
    CHECK(value(m.bias) == doctest::Approx(0.855));
    CHECK(opt.groups()[0].entries[0].name == "toy.weight");
}

JHR_TYPED_TEST("sgd: groups keep their own rates and the schedule factor scales all", B) {
    toy_module<B> slow, fast;
    for (auto* m : {&slow, &fast}) {
        m->weight.value.fill(0.0f);
        m->weight.grad.fill(1.0f);
        m->bias.grad.fill(0.0f);
    }
    jhr::sgd<B> opt({0.0f, 0.0f});
    opt.add_group("srnet", 1e-5f, slow, "srnet");
    opt.add_group("frnet", 1e-2f, fast, "frnet");
    opt.step(0.1);
    CHECK(value(slow.weight) == doctest::Approx(-1e-6));
    CHECK(value(fast.weight) == doctest::Approx(-1e-3));
}
