#include "jhr/io/crc32.hpp"

#include <doctest/doctest.h>

#include <string>

TEST_CASE("crc32 matches the standard check values") {
    // Check values of CRC-32/ISO-HDLC, confirmed with Python's zlib.crc32.
    CHECK(jhr::crc32(std::string_view("")) == 0u);
    CHECK(jhr::crc32(std::string_view("123456789")) == 0xCBF43926u);
    CHECK(jhr::crc32(std::string_view("The quick brown fox jumps over the lazy dog")) == 0x414FA339u);
}

TEST_CASE("crc32_update continues a checksum across pieces") {
    const std::string text = "The quick brown fox jumps over the lazy dog";
    for (std::size_t split = 0; split <= text.size(); ++split) {
        const auto head = std::as_bytes(std::span<const char>(text.data(), split));
        const auto tail = std::as_bytes(std::span<const char>(text.data() + split, text.size() - split));
        CHECK(jhr::crc32_update(jhr::crc32(head), tail) == 0x414FA339u);
    }
}
