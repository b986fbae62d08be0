// jhr/data/landmarks.hpp: 5-point landmark files.
//
// One face per line, fields separated by tabs or spaces: "RELATIVE/PATH.jpg x1 y1 x2 y2 ... x5 y5"
// (left eye, right eye, nose tip, left mouth corner, right mouth corner; pixels, see alignment.hpp).
// Blank lines are ignored. A line with a number of coordinates other than 10, or a non-numeric or
// non-finite coordinate, throws protocol_error naming the file and line. `scale` multiplies every
// coordinate (0.6 maps LFW's 250x250 coordinates onto the 150x150 originals).
#pragma once

#include "jhr/data/alignment.hpp"
#include "jhr/data/line_reader.hpp"

#include <filesystem>
#include <fstream>
#include <istream>
#include <string>
#include <unordered_map>
#include <vector>

namespace jhr::data {

struct landmark_entry {
    std::string path;
    landmarks points;
};

std::vector<landmark_entry> parse_landmarks(std::istream& in, const std::string& source, double scale = 1.0);
std::vector<landmark_entry> read_landmarks(const std::filesystem::path& path, double scale = 1.0);
// path -> points; a path listed twice throws protocol_error.
std::unordered_map<std::string, landmarks> index_landmarks(const std::vector<landmark_entry>& entries,
                                                           const std::string& source = "landmarks");

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

inline std::vector<landmark_entry> parse_landmarks(std::istream& in, const std::string& source,
                                                   double scale) {
    line_reader r(in, source);
    std::vector<landmark_entry> out;
    std::string line;
    while (r.next_nonblank(line)) {
        const auto f = line_reader::split_whitespace(line);
        if (f.size() != 11)
            r.fail("expected 'path x1 y1 ... x5 y5' (10 coordinates), got " + std::to_string(f.size() - 1) +
                   " coordinates");
        landmark_entry e;
        e.path = std::string(f[0]);
        static const std::string names[10] = {"x1", "y1", "x2", "y2", "x3", "y3", "x4", "y4", "x5", "y5"};
        for (std::size_t i = 0; i < 5; ++i) {
            e.points[i].x = scale * r.parse_double(f[1 + 2 * i], names[2 * i]);
            e.points[i].y = scale * r.parse_double(f[2 + 2 * i], names[2 * i + 1]);
        }
        out.push_back(std::move(e));
    }
    return out;
}

inline std::vector<landmark_entry> read_landmarks(const std::filesystem::path& path, double scale) {
    std::ifstream in(path);
    if (!in) throw io_error(path.string() + ": cannot open file");
    return parse_landmarks(in, path.string(), scale);
}

inline std::unordered_map<std::string, landmarks> index_landmarks(const std::vector<landmark_entry>& entries,
                                                                  const std::string& source) {
    std::unordered_map<std::string, landmarks> out;
    for (const auto& e : entries)
        if (!out.emplace(e.path, e.points).second)
            throw protocol_error(source + ": landmarks for " + e.path + " are listed twice");
    return out;
}

} // namespace jhr::data
