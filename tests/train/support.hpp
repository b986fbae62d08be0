// A tiny joint model on 50x50 synthetic faces for trainer tests.
#pragma once

#include "support/tiny_models.hpp"

#include "jhr/data/loader.hpp"
#include "jhr/train/inputs.hpp"
#include "jhr/train/trainer.hpp"

#include <filesystem>

namespace jhr::testing {

inline data::loader_options tiny_loader_options(std::size_t batch) {
    data::loader_options o;
    o.batch_size = batch;
    o.seed = 3;
    o.workers = 1;
    o.cache = true;
    return o;
}

inline data::synthetic_source tiny_faces(std::size_t identities, std::size_t per_identity) {
    return data::synthetic_source(data::synthetic_faces(7, {50, 50, 1.0, 3.0}), identities, per_identity);
}

inline std::filesystem::path fresh_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / ("jhr_test_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    return dir;
}

} // namespace jhr::testing
