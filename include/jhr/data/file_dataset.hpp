// jhr/data/file_dataset.hpp: labelled image files from an identity-folder tree or a list file.
//
// Identity folders (the CASIA-WebFace layout): root/<identity>/*.jpg|*.jpeg|*.png. Identities are
// sorted by name and labelled 0..K-1; images within an identity are sorted by file name. Folders
// without images get no label. List files: one "path label" per line (the label is the last
// whitespace-separated field, so paths may hold spaces; label >= 0); relative paths are taken
// relative to `root`. Blank lines are ignored; malformed lines throw protocol_error naming file and line.
#pragma once

#include "jhr/data/line_reader.hpp"
#include "jhr/data/youtube_faces.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <string>
#include <vector>

namespace jhr::data {

struct labelled_path {
    std::filesystem::path path;
    std::int32_t label = 0;
};

struct file_dataset {
    std::vector<labelled_path> samples;
    std::vector<std::string> identities; // label -> identity name (identity folders only)
};

file_dataset scan_identity_folders(const std::filesystem::path& root);
file_dataset parse_list_file(std::istream& in, const std::string& source,
                             const std::filesystem::path& root = {});
file_dataset read_list_file(const std::filesystem::path& path, const std::filesystem::path& root = {});

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

inline file_dataset scan_identity_folders(const std::filesystem::path& root) {
    std::error_code ec;
    if (!std::filesystem::is_directory(root, ec))
        throw io_error(root.string() + ": dataset folder not found");
    std::vector<std::filesystem::path> folders;
    for (const auto& e : std::filesystem::directory_iterator(root, ec))
        if (e.is_directory()) folders.push_back(e.path());
    if (ec) throw io_error(root.string() + ": cannot list folder: " + ec.message());
    std::sort(folders.begin(), folders.end());
    file_dataset out;
    for (const auto& folder : folders) {
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::directory_iterator(folder, ec))
            if (e.is_regular_file() && detail::is_image_file(e.path())) files.push_back(e.path());
        if (ec) throw io_error(folder.string() + ": cannot list folder: " + ec.message());
        if (files.empty()) continue;
        std::sort(files.begin(), files.end());
        const auto label = std::int32_t(out.identities.size());
        out.identities.push_back(folder.filename().string());
        for (auto& f : files) out.samples.push_back({std::move(f), label});
    }
    if (out.samples.empty()) throw io_error(root.string() + ": no identity folder holds .jpg/.png images");
    return out;
}

inline file_dataset parse_list_file(std::istream& in, const std::string& source,
                                    const std::filesystem::path& root) {
    line_reader r(in, source);
    file_dataset out;
    std::string line;
    while (r.next_nonblank(line)) {
        const std::size_t end = line.find_last_not_of(" \t");
        const std::size_t split = line.find_last_of(" \t", end);
        if (split == std::string::npos) r.fail("expected 'path label'");
        const std::size_t path_end = line.find_last_not_of(" \t", split);
        const std::size_t path_begin = line.find_first_not_of(" \t");
        if (path_end == std::string::npos) r.fail("expected 'path label'");
        std::filesystem::path p(line.substr(path_begin, path_end - path_begin + 1));
        const int label = r.parse_int(std::string_view(line).substr(split + 1, end - split), "label");
        out.samples.push_back({p.is_absolute() || root.empty() ? p : root / p, label});
    }
    return out;
}

inline file_dataset read_list_file(const std::filesystem::path& path, const std::filesystem::path& root) {
    std::ifstream in(path);
    if (!in) throw io_error(path.string() + ": cannot open file");
    return parse_list_file(in, path.string(), root);
}

} // namespace jhr::data
