// jhr/train/progress.hpp: a one-line progress display (each loss term, images/s, the share of time
// spent waiting for the data loader, ETA) and the JSON-lines metrics log of a training run.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace jhr {

struct step_record {
    std::int64_t iteration = 0; // completed iterations
    std::vector<std::string> names;
    std::vector<double> losses; // unweighted, per head
    double total = 0;           // weighted sum (eq. 5)
    double learning_rate_factor = 1;
    double images_per_second = 0;
    double elapsed_seconds = 0;
    double data_wait_seconds = 0;  // of elapsed_seconds, spent waiting for the loader's next batch
    double input_copy_seconds = 0; // of elapsed_seconds, spent copying batches into backend tensors
};

inline nlohmann::json to_json(const step_record& r) {
    nlohmann::json losses = nlohmann::json::object();
    for (std::size_t k = 0; k < r.names.size(); ++k) losses[r.names[k]] = r.losses[k];
    return {{"iteration", r.iteration},
            {"losses", losses},
            {"total", r.total},
            {"lr_factor", r.learning_rate_factor},
            {"images_per_second", r.images_per_second},
            {"elapsed_seconds", r.elapsed_seconds},
            {"data_wait_seconds", r.data_wait_seconds},
            {"input_copy_seconds", r.input_copy_seconds}};
}

inline std::string format_duration(double seconds) {
    const auto s = std::int64_t(seconds + 0.5);
    char buffer[32];
    if (s >= 3600)
        std::snprintf(buffer, sizeof buffer, "%lldh%02lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
    else
        std::snprintf(buffer, sizeof buffer, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    return buffer;
}

// "[120/1000] pixel 0.0312 softmax 2.301 center 0.412 | 41.2 img/s | data wait 2% | ETA 3m12s"
inline std::string progress_line(const step_record& r, std::int64_t total_iterations) {
    std::string line = "[" + std::to_string(r.iteration) + "/" + std::to_string(total_iterations) + "]";
    char buffer[64];
    for (std::size_t k = 0; k < r.names.size(); ++k) {
        std::snprintf(buffer, sizeof buffer, " %s %.4g", r.names[k].c_str(), r.losses[k]);
        line += buffer;
    }
    const double remaining = r.images_per_second > 0 ? double(total_iterations - r.iteration) : 0;
    std::snprintf(buffer, sizeof buffer, " | %.1f img/s", r.images_per_second);
    line += buffer;
    if (r.elapsed_seconds > 0) {
        std::snprintf(buffer, sizeof buffer, " | data wait %.0f%%",
                      100.0 * r.data_wait_seconds / r.elapsed_seconds);
        line += buffer;
    }
    if (r.images_per_second > 0 && r.iteration > 0)
        line += " | ETA " + format_duration(remaining * r.elapsed_seconds / double(r.iteration));
    return line;
}

} // namespace jhr
