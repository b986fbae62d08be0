// tests/io/temp_dir.hpp: a fresh directory under the system temp directory, removed on destruction.
#pragma once

#include <filesystem>
#include <string>

#include <unistd.h>

namespace jhr::test {

struct temp_dir {
    std::filesystem::path path;

    explicit temp_dir(const std::string& name)
        : path(std::filesystem::temp_directory_path() /
               ("jhr_test_io_" + std::to_string(::getpid()) + "_" + name)) {
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

} // namespace jhr::test
