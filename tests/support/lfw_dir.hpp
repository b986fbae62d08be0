// For the tests that read files: the development LFW copy ($JHR_LFW_DIR, else
// JHR_SOURCE_DIR/../shared/data/lfw; empty when absent, and tests then print that they are skipped
// and return) and fresh scratch folders.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

inline std::filesystem::path lfw_dir() {
    std::filesystem::path p;
    if (const char* env = std::getenv("JHR_LFW_DIR"))
        p = env;
    else
        p = std::filesystem::path(JHR_SOURCE_DIR) / ".." / "shared" / "data" / "lfw";
    return std::filesystem::is_regular_file(p / "pairsDevTest.txt") ? p : std::filesystem::path{};
}

// A fresh empty directory jhr_test_<name> under the system temp folder (names are unique across the suites).
inline std::filesystem::path scratch_dir(const std::string& name) {
    const auto p = std::filesystem::temp_directory_path() / ("jhr_test_" + name);
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
    return p;
}
