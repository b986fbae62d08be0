// jhr/data/line_reader.hpp: line-oriented reading for the text formats of the data sets.
//
// line_reader pulls lines from an istream, strips a trailing '\r', counts line numbers (1-based) and
// raises protocol_error as "<source>:<line>: <message>". Field helpers split on whitespace or on a
// delimiter and parse integers and floats strictly (the whole field must be consumed, and must be
// finite). Nothing here trusts counts read from a file to size allocations.
#pragma once

#include "jhr/core/error.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace jhr::data {

class line_reader {
public:
    line_reader(std::istream& in, std::string source) : in_(in), source_(std::move(source)) {}

    // Next line (without terminator); false at end of input.
    bool next(std::string& line) {
        if (!std::getline(in_, line)) return false;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        ++line_number_;
        return true;
    }
    // Next line that is not blank; false at end of input.
    bool next_nonblank(std::string& line) {
        while (next(line))
            if (line.find_first_not_of(" \t") != std::string::npos) return true;
        return false;
    }
    // Next non-blank line, or a protocol_error saying what was expected.
    std::string require(const std::string& what) {
        std::string line;
        if (!next_nonblank(line))
            throw protocol_error(source_ + ":" + std::to_string(line_number_) + ": file ends, expected " +
                                 what);
        return line;
    }
    // Throws unless only blank lines remain.
    void expect_end() {
        std::string line;
        if (next_nonblank(line)) fail("unexpected extra line '" + line.substr(0, 80) + "'");
    }
    [[noreturn]] void fail(const std::string& message) const {
        throw protocol_error(source_ + ":" + std::to_string(line_number_) + ": " + message);
    }
    int line_number() const { return line_number_; }
    const std::string& source() const { return source_; }

    // Whitespace-separated fields of a line.
    static std::vector<std::string_view> split_whitespace(std::string_view line) {
        std::vector<std::string_view> out;
        std::size_t i = 0;
        while (i < line.size()) {
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
            std::size_t j = i;
            while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
            if (j > i) out.push_back(line.substr(i, j - i));
            i = j;
        }
        return out;
    }
    // Fields separated by `delimiter`, each trimmed of spaces and tabs.
    static std::vector<std::string_view> split(std::string_view line, char delimiter) {
        std::vector<std::string_view> out;
        std::size_t start = 0;
        while (true) {
            const std::size_t end = line.find(delimiter, start);
            std::string_view field =
                line.substr(start, end == std::string_view::npos ? line.npos : end - start);
            const std::size_t a = field.find_first_not_of(" \t");
            const std::size_t b = field.find_last_not_of(" \t");
            out.push_back(a == std::string_view::npos ? std::string_view{} : field.substr(a, b - a + 1));
            if (end == std::string_view::npos) break;
            start = end + 1;
        }
        return out;
    }

    int parse_int(std::string_view field, const std::string& what, int min_value = 0) const {
        int value = 0;
        const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
        if (ec != std::errc() || ptr != field.data() + field.size())
            fail(what + ": expected an integer, got '" + std::string(field.substr(0, 40)) + "'");
        if (value < min_value)
            fail(what + ": " + std::to_string(value) + " is below " + std::to_string(min_value));
        return value;
    }
    double parse_double(std::string_view field, const std::string& what) const {
        const std::string text(field);
        char* end = nullptr;
        const double value = text.empty() ? 0.0 : std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value))
            fail(what + ": expected a finite number, got '" + text.substr(0, 40) + "'");
        return value;
    }
    // A person or folder name usable as one path component.
    std::string parse_name(std::string_view field, const std::string& what) const {
        if (field.empty() || field == "." || field == ".." || field.find('/') != field.npos ||
            field.find('\\') != field.npos || field.find('\0') != field.npos)
            fail(what + ": '" + std::string(field.substr(0, 40)) + "' is not a valid name");
        return std::string(field);
    }

private:
    std::istream& in_;
    std::string source_;
    int line_number_ = 0;
};

} // namespace jhr::data
