// jhr/data/youtube_faces.hpp: the YouTube Faces verification splits and video frame folders.
//
// splits.txt: one header line, then comma-separated rows "split, 1st video, 2nd video, label, is same"
// (fields trimmed of spaces; split >= 1; label and is-same 0 or 1; videos are "NAME/NUMBER").
// Blank lines are ignored; any other malformed row throws protocol_error naming file and line.
// A video is a folder root/NAME/NUMBER of frame images; video_frames lists its .jpg/.png files sorted
// by name, throwing io_error when the folder is missing or holds no frames.
#pragma once

#include "jhr/data/line_reader.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <istream>
#include <string>
#include <vector>

namespace jhr::data {

struct video_pair {
    int split = 0;
    std::string first;  // "NAME/NUMBER"
    std::string second; // "NAME/NUMBER"
    bool same = false;  // the label column
    bool is_same = false;
    int line = 0;
};

std::vector<video_pair> parse_youtube_faces_splits(std::istream& in, const std::string& source);
std::vector<video_pair> read_youtube_faces_splits(const std::filesystem::path& path);
std::vector<std::filesystem::path> video_frames(const std::filesystem::path& root, const std::string& video);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

inline std::string parse_video(const line_reader& r, std::string_view field, const std::string& what) {
    const std::size_t slash = field.find('/');
    if (slash == field.npos)
        r.fail(what + ": expected 'NAME/NUMBER', got '" + std::string(field.substr(0, 40)) + "'");
    return r.parse_name(field.substr(0, slash), what) + "/" + r.parse_name(field.substr(slash + 1), what);
}

inline bool is_image_file(const std::filesystem::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

} // namespace detail

inline std::vector<video_pair> parse_youtube_faces_splits(std::istream& in, const std::string& source) {
    line_reader r(in, source);
    r.require("a header line");
    std::vector<video_pair> out;
    std::string line;
    while (r.next_nonblank(line)) {
        const auto f = line_reader::split(line, ',');
        if (f.size() != 5)
            r.fail("expected 'split, 1st video, 2nd video, label, is same', got " + std::to_string(f.size()) +
                   " fields");
        video_pair p;
        p.split = r.parse_int(f[0], "split", 1);
        p.first = detail::parse_video(r, f[1], "1st video");
        p.second = detail::parse_video(r, f[2], "2nd video");
        const int label = r.parse_int(f[3], "label");
        const int is_same = r.parse_int(f[4], "is same");
        if (label > 1 || is_same > 1) r.fail("label and is same must be 0 or 1");
        p.same = label == 1;
        p.is_same = is_same == 1;
        p.line = r.line_number();
        out.push_back(std::move(p));
    }
    return out;
}

inline std::vector<video_pair> read_youtube_faces_splits(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw io_error(path.string() + ": cannot open file");
    return parse_youtube_faces_splits(in, path.string());
}

inline std::vector<std::filesystem::path> video_frames(const std::filesystem::path& root,
                                                       const std::string& video) {
    const std::filesystem::path dir = root / video;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) throw io_error(dir.string() + ": video folder not found");
    std::vector<std::filesystem::path> frames;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
        if (e.is_regular_file() && detail::is_image_file(e.path())) frames.push_back(e.path());
    if (ec) throw io_error(dir.string() + ": cannot list folder: " + ec.message());
    if (frames.empty()) throw io_error(dir.string() + ": video folder holds no .jpg/.png frames");
    std::sort(frames.begin(), frames.end());
    return frames;
}

} // namespace jhr::data
