// jhr/io/crc32.hpp: CRC-32 as in zlib, PNG and Python's zlib.crc32.
//
// Reflected polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF; crc32 of "123456789" is
// 0xCBF43926. crc32_update continues a running checksum, so crc32(a + b) ==
// crc32_update(crc32(a), b). Byte-at-a-time table lookup.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace jhr {

// Continues `crc` (a finished CRC-32 of the preceding bytes, 0 for none) over `bytes`.
std::uint32_t crc32_update(std::uint32_t crc, std::span<const std::byte> bytes);

inline std::uint32_t crc32(std::span<const std::byte> bytes) {
    return crc32_update(0, bytes);
}

inline std::uint32_t crc32(std::string_view text) {
    return crc32(std::as_bytes(std::span<const char>(text.data(), text.size())));
}

// ---------------------------------------------------------------------------------------------
// Implementation

namespace detail {

constexpr std::array<std::uint32_t, 256> make_crc32_table() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t n = 0; n < 256; ++n) {
        std::uint32_t c = n;
        for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[n] = c;
    }
    return table;
}

inline constexpr std::array<std::uint32_t, 256> crc32_table = make_crc32_table();

} // namespace detail

inline std::uint32_t crc32_update(std::uint32_t crc, std::span<const std::byte> bytes) {
    std::uint32_t c = crc ^ 0xFFFFFFFFu;
    for (const std::byte b : bytes)
        c = detail::crc32_table[(c ^ std::to_integer<std::uint32_t>(b)) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

} // namespace jhr
