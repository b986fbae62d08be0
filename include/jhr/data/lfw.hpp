// jhr/data/lfw.hpp: the Labeled Faces in the Wild protocol files and image path rule.
//
// People files: people.txt ("number of sets" line, then per set a count line and that many
// "name count" lines) and peopleDevTrain/peopleDevTest.txt (a count line then "name count" lines,
// read as one set). The two are told apart by the second non-blank line: a single field starts a set.
// Pairs files: pairs.txt (first line "folds per_fold", then per fold per_fold matched lines
// "name n1 n2" and per_fold mismatched lines "name1 n1 name2 n2") and pairsDevTrain/pairsDevTest.txt
// (first line "N", read as one fold of N matched then N mismatched). Fields are separated by spaces
// or tabs; blank lines are ignored. Any malformed, missing or extra line throws protocol_error
// naming the file and line. Image numbers are 1-based.
// Image path rule: root/NAME/NAME_%04d.jpg. resolve_lfw_pairs turns pairs into paths, throwing
// io_error for a missing image, or (skip_missing) dropping the pair and counting it.
#pragma once

#include "jhr/core/error.hpp"
#include "jhr/data/line_reader.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <istream>
#include <string>
#include <vector>

namespace jhr::data {

struct lfw_person {
    std::string name;
    int image_count = 0;
};

struct lfw_people {
    std::vector<std::vector<lfw_person>> sets;
};

struct lfw_pair {
    std::string name1;
    int image1 = 0;
    std::string name2;
    int image2 = 0;
    bool same = false;
    int fold = 0; // 0-based
    int line = 0; // line in the pairs file, for messages
};

struct lfw_pairs {
    int folds = 0;
    int pairs_per_fold = 0; // matched pairs per fold (the same number of mismatched pairs follows)
    std::vector<lfw_pair> pairs;
};

lfw_people parse_lfw_people(std::istream& in, const std::string& source);
lfw_people read_lfw_people(const std::filesystem::path& path);
lfw_pairs parse_lfw_pairs(std::istream& in, const std::string& source);
lfw_pairs read_lfw_pairs(const std::filesystem::path& path);

std::filesystem::path lfw_image_path(const std::filesystem::path& root, const std::string& name, int number);

struct resolved_pair {
    std::filesystem::path first;
    std::filesystem::path second;
    bool same = false;
    int fold = 0;
};

struct resolved_pairs {
    std::vector<resolved_pair> pairs;
    std::size_t skipped = 0; // pairs dropped because an image was missing (skip_missing only)
};

// Maps pairs to image paths under root. Missing image: io_error naming the path and pairs line,
// unless skip_missing, in which case the pair is dropped and counted in `skipped`.
resolved_pairs resolve_lfw_pairs(const lfw_pairs& pairs, const std::filesystem::path& root,
                                 bool skip_missing = false, const std::string& source = "pairs");

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

inline std::ifstream open_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw io_error(path.string() + ": cannot open file");
    return in;
}

inline lfw_person parse_person_line(line_reader& r, const std::string& line) {
    const auto f = line_reader::split_whitespace(line);
    if (f.size() != 2) r.fail("expected 'name count', got " + std::to_string(f.size()) + " fields");
    return {r.parse_name(f[0], "name"), r.parse_int(f[1], "image count", 1)};
}

} // namespace detail

inline lfw_people parse_lfw_people(std::istream& in, const std::string& source) {
    line_reader r(in, source);
    const std::string first_line = r.require("a count line");
    const auto first = line_reader::split_whitespace(first_line);
    if (first.size() != 1) r.fail("expected a single count on the first line");
    const int first_count = r.parse_int(first[0], "count");
    lfw_people people;
    std::string line;
    if (!r.next_nonblank(line)) {
        if (first_count != 0) r.fail("file ends, expected " + std::to_string(first_count) + " entries");
        return people;
    }
    const bool sets_format = line_reader::split_whitespace(line).size() == 1;
    const int sets = sets_format ? first_count : 1;
    for (int s = 0; s < sets; ++s) {
        if (s > 0) line = r.require("the person count of set " + std::to_string(s + 1));
        int count = first_count;
        if (sets_format) {
            const auto f = line_reader::split_whitespace(line);
            if (f.size() != 1) r.fail("expected the person count of set " + std::to_string(s + 1));
            count = r.parse_int(f[0], "person count");
        }
        people.sets.emplace_back();
        for (int i = 0; i < count; ++i) {
            if (sets_format || i > 0)
                line = r.require("person " + std::to_string(i + 1) + " of " + std::to_string(count));
            people.sets.back().push_back(detail::parse_person_line(r, line));
        }
    }
    r.expect_end();
    return people;
}

inline lfw_people read_lfw_people(const std::filesystem::path& path) {
    auto in = detail::open_text(path);
    return parse_lfw_people(in, path.string());
}

inline lfw_pairs parse_lfw_pairs(std::istream& in, const std::string& source) {
    line_reader r(in, source);
    const std::string head_line = r.require("a header line");
    const auto head = line_reader::split_whitespace(head_line);
    lfw_pairs out;
    if (head.size() == 1) {
        out.folds = 1;
        out.pairs_per_fold = r.parse_int(head[0], "pair count", 1);
    } else if (head.size() == 2) {
        out.folds = r.parse_int(head[0], "fold count", 1);
        out.pairs_per_fold = r.parse_int(head[1], "pairs per fold", 1);
    } else {
        r.fail("expected 'N' or 'folds pairs_per_fold' on the first line");
    }
    for (int fold = 0; fold < out.folds; ++fold)
        for (int same = 1; same >= 0; --same)
            for (int i = 0; i < out.pairs_per_fold; ++i) {
                const std::string what = std::string(same ? "matched" : "mismatched") + " pair " +
                                         std::to_string(i + 1) + " of fold " + std::to_string(fold + 1);
                const std::string line = r.require(what);
                const auto f = line_reader::split_whitespace(line);
                lfw_pair p;
                p.same = same == 1;
                p.fold = fold;
                p.line = r.line_number();
                if (same) {
                    if (f.size() != 3)
                        r.fail(what + ": expected 'name n1 n2', got " + std::to_string(f.size()) + " fields");
                    p.name1 = p.name2 = r.parse_name(f[0], "name");
                    p.image1 = r.parse_int(f[1], "image number", 1);
                    p.image2 = r.parse_int(f[2], "image number", 1);
                } else {
                    if (f.size() != 4)
                        r.fail(what + ": expected 'name1 n1 name2 n2', got " + std::to_string(f.size()) +
                               " fields");
                    p.name1 = r.parse_name(f[0], "name");
                    p.image1 = r.parse_int(f[1], "image number", 1);
                    p.name2 = r.parse_name(f[2], "name");
                    p.image2 = r.parse_int(f[3], "image number", 1);
                }
                out.pairs.push_back(std::move(p));
            }
    r.expect_end();
    return out;
}

inline lfw_pairs read_lfw_pairs(const std::filesystem::path& path) {
    auto in = detail::open_text(path);
    return parse_lfw_pairs(in, path.string());
}

inline std::filesystem::path lfw_image_path(const std::filesystem::path& root, const std::string& name,
                                            int number) {
    char digits[16];
    std::snprintf(digits, sizeof digits, "%04d", number);
    return root / name / (name + "_" + digits + ".jpg");
}

inline resolved_pairs resolve_lfw_pairs(const lfw_pairs& pairs, const std::filesystem::path& root,
                                        bool skip_missing, const std::string& source) {
    resolved_pairs out;
    for (const lfw_pair& p : pairs.pairs) {
        resolved_pair r{lfw_image_path(root, p.name1, p.image1), lfw_image_path(root, p.name2, p.image2),
                        p.same, p.fold};
        const std::filesystem::path* missing = !std::filesystem::is_regular_file(r.first)    ? &r.first
                                               : !std::filesystem::is_regular_file(r.second) ? &r.second
                                                                                             : nullptr;
        if (!missing) {
            out.pairs.push_back(std::move(r));
        } else if (skip_missing) {
            ++out.skipped;
        } else {
            throw io_error(source + ":" + std::to_string(p.line) + ": pair names missing image " +
                           missing->string());
        }
    }
    return out;
}

} // namespace jhr::data
