// libFuzzer target for jhr::decode_image: arbitrary bytes must decode or throw jhr::io_error.
#include "jhr/io/image.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const jhr::image img = jhr::decode_image({data, size}, "fuzz");
        if (img.shape(2) != 3) __builtin_trap();
    } catch (const jhr::io_error&) {
    }
    return 0;
}
