// jhr/optim/schedule.hpp: the step learning-rate schedule the paper trains with.
//
// factor(t) = gamma^k where k is the number of milestones <= t (paper: gamma 0.1, milestones
// 16,000 and 24,000); training stops when t reaches max_iterations (paper: 28,000).
#pragma once

#include "jhr/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace jhr {

struct step_schedule {
    std::vector<std::int64_t> milestones;
    double gamma = 0.1;
    std::int64_t max_iterations = 0;

    double factor(std::int64_t iteration) const {
        const auto passed = std::count_if(milestones.begin(), milestones.end(),
                                          [&](std::int64_t m) { return m <= iteration; });
        return std::pow(gamma, double(passed));
    }
    bool finished(std::int64_t iteration) const { return iteration >= max_iterations; }

    // The paper's schedule scaled to `iterations` total (milestones at 4/7 and 6/7 of the run).
    static step_schedule paper(std::int64_t iterations = 28000) {
        if (iterations <= 0) throw error("step_schedule: iterations must be positive");
        return {{iterations * 16000 / 28000, iterations * 24000 / 28000}, 0.1, iterations};
    }
};

} // namespace jhr
