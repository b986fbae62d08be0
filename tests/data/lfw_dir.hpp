// Locates the development LFW copy for tests: $JHR_LFW_DIR, else JHR_SOURCE_DIR/../shared/data/lfw.
// Empty when absent; tests then print that they are skipped and return.
#pragma once

#include <cstdlib>
#include <filesystem>

inline std::filesystem::path lfw_dir() {
    std::filesystem::path p;
    if (const char* env = std::getenv("JHR_LFW_DIR"))
        p = env;
    else
        p = std::filesystem::path(JHR_SOURCE_DIR) / ".." / "shared" / "data" / "lfw";
    return std::filesystem::is_regular_file(p / "pairsDevTest.txt") ? p : std::filesystem::path{};
}

// A fresh empty directory under the system temp folder.
inline std::filesystem::path scratch_dir(const std::string& name) {
    const auto p = std::filesystem::temp_directory_path() / ("jhr_test_data_" + name);
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
    return p;
}
