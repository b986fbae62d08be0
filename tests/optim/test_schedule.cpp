#include "jhr/optim/schedule.hpp"

#include <doctest/doctest.h>

TEST_CASE("step_schedule: the paper's steps") {
    const auto s = jhr::step_schedule::paper();
    CHECK(s.milestones == std::vector<std::int64_t>{16000, 24000});
    CHECK(s.factor(0) == 1.0);
    CHECK(s.factor(15999) == 1.0);
    CHECK(s.factor(16000) == doctest::Approx(0.1));
    CHECK(s.factor(24000) == doctest::Approx(0.01));
    CHECK_FALSE(s.finished(27999));
    CHECK(s.finished(28000));
}

TEST_CASE("step_schedule: scaled runs keep the proportions") {
    const auto s = jhr::step_schedule::paper(700);
    CHECK(s.milestones == std::vector<std::int64_t>{400, 600});
    CHECK(s.max_iterations == 700);
    CHECK_THROWS_AS(jhr::step_schedule::paper(0), jhr::error);
}
