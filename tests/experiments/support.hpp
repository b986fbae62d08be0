// Shared by the experiments tests: the fastest backend built, the LFW copy and scratch folders
// (support/lfw_dir.hpp), and a tiny reproduce run (64x56 faces, 4- to 8-wide FRNET stages, a few
// iterations) that takes seconds.
#pragma once

#include "jhr/experiments/reproduce.hpp"
#include "support/backends.hpp"
#include "support/lfw_dir.hpp"

#include <filesystem>

#if defined(JHR_HAVE_ONEDNN)
using fast_backend = jhr::onednn;
#else
using fast_backend = jhr::reference;
#endif

inline jhr::experiments::reproduce_options tiny_reproduce_options(const std::filesystem::path& out) {
    jhr::experiments::reproduce_options r;
    r.out = out;
    r.face_height = 64;
    r.face_width = 56;
    r.identities = 20;
    r.images = 2;
    r.test_identities = 20;
    r.test_images = 2;
    auto& t = r.table;
    t.batch = 8;
    t.training.iterations = 3;
    t.training.progress = nullptr;
    t.training.learning_rates = {{"srnet", 1e-5f}, {"frnet", 0.01f}};
    t.model.frnet.widths = {4, 4, 8, 8};
    t.model.frnet.blocks = {1, 1, 1, 1};
    t.model.frnet.features = 8;
    t.model.srnet.features = 8;
    t.model.srnet.mapping_features = 4;
    return r;
}
