// tests/io/text.hpp: a file's whole contents as a string, and substring search, for the io tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace jhr::test {

inline std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace jhr::test
