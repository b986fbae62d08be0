// libFuzzer target: parse_safetensors on arbitrary bytes must either return a file or throw
// jhr::protocol_error; a parsed file must serialize and parse back to the same tensors, and the
// checkpoint checksum check must not crash on it.
//
// clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
//     -Iinclude tests/fuzz/fuzz_safetensors.cpp -o fuzz_safetensors
#include "jhr/io/checkpoint.hpp"
#include "jhr/io/safetensors.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
    jhr::safetensors_file file;
    try {
        file = jhr::parse_safetensors(bytes, "fuzz");
    } catch (const jhr::protocol_error&) {
        return 0;
    }
    const auto again = jhr::parse_safetensors(jhr::serialize_safetensors(file), "fuzz round trip");
    if (again.metadata != file.metadata || again.tensors.size() != file.tensors.size()) std::abort();
    for (std::size_t i = 0; i < file.tensors.size(); ++i) {
        const auto& a = file.tensors[i];
        const auto& b = again.tensors[i];
        if (a.name != b.name || a.dtype != b.dtype || a.shape != b.shape || a.bytes != b.bytes) std::abort();
    }
    try {
        jhr::check_checksums(file, "fuzz");
    } catch (const jhr::protocol_error&) {
    }
    return 0;
}
