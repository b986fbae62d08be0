// libFuzzer target for the text parsers. Built once per parser with -DJHR_FUZZ_PARSER=<n>:
// 0 LFW pairs, 1 LFW people, 2 landmarks, 3 list file, 4 YouTube Faces splits.
// Any jhr::error is an accepted outcome; crashes, sanitizer reports, other exceptions and hangs are not.
#include "jhr/data/file_dataset.hpp"
#include "jhr/data/landmarks.hpp"
#include "jhr/data/lfw.hpp"
#include "jhr/data/youtube_faces.hpp"

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    try {
#if JHR_FUZZ_PARSER == 0
        jhr::data::parse_lfw_pairs(in, "fuzz");
#elif JHR_FUZZ_PARSER == 1
        jhr::data::parse_lfw_people(in, "fuzz");
#elif JHR_FUZZ_PARSER == 2
        jhr::data::index_landmarks(jhr::data::parse_landmarks(in, "fuzz", 0.6));
#elif JHR_FUZZ_PARSER == 3
        jhr::data::parse_list_file(in, "fuzz", "/root");
#else
        jhr::data::parse_youtube_faces_splits(in, "fuzz");
#endif
    } catch (const jhr::error&) {
    }
    return 0;
}
