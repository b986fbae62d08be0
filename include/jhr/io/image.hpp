// jhr/io/image.hpp: host images and their JPEG/PNG input/output.
//
// jhr::image is an xt::xtensor<float, 3> in HWC order with 3 channels (RGB) and values in 0..255
// (not normalised). read_image / decode_image accept 8-bit JPEG and PNG (anything stb_image decodes)
// with 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA) channels: gray is replicated to RGB, alpha is
// dropped (not composited). write_png rounds to the nearest integer and clamps to 0..255.
// Every failure (missing, zero-byte, truncated, corrupt file; unsupported channel count; write
// failure) throws jhr::io_error naming the file and, where stb gives one, its failure reason.
#pragma once

#include "jhr/core/error.hpp"

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <xtensor/xtensor.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace jhr {

using image = xt::xtensor<float, 3>;

inline int image_height(const image& img) {
    return int(img.shape(0));
}
inline int image_width(const image& img) {
    return int(img.shape(1));
}

// A zero-filled RGB image of the given size.
inline image make_image(int height, int width) {
    image img = image::from_shape({std::size_t(height), std::size_t(width), std::size_t(3)});
    img.fill(0.0f);
    return img;
}

// Decodes an encoded JPEG/PNG held in memory; `name` is used in error messages.
image decode_image(std::span<const std::uint8_t> bytes, const std::string& name = "<memory>");
// Reads and decodes an image file.
image read_image(const std::filesystem::path& path);
// Encodes an RGB image as PNG bytes / writes it to a file. Requires 3 channels.
std::vector<std::uint8_t> encode_png(const image& img);
void write_png(const std::filesystem::path& path, const image& img);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

struct stbi_deleter {
    void operator()(unsigned char* p) const { stbi_image_free(p); }
};

inline std::vector<std::uint8_t> to_rgb8(const image& img, const std::string& name) {
    if (img.dimension() != 3 || img.shape(2) != 3 || img.shape(0) == 0 || img.shape(1) == 0)
        throw shape_error("write_png " + name + ": expects a non-empty HxWx3 image, got " +
                          std::to_string(img.shape(0)) + "x" + std::to_string(img.shape(1)) + "x" +
                          std::to_string(img.shape(2)));
    std::vector<std::uint8_t> bytes(img.size());
    std::transform(img.begin(), img.end(), bytes.begin(), [](float v) {
        if (!(v == v)) return std::uint8_t(0);
        return std::uint8_t(std::lround(std::clamp(v, 0.0f, 255.0f)));
    });
    return bytes;
}

} // namespace detail

inline image decode_image(std::span<const std::uint8_t> bytes, const std::string& name) {
    if (bytes.empty()) throw io_error("read_image " + name + ": file is empty (0 bytes)");
    if (bytes.size() > std::size_t(INT32_MAX)) throw io_error("read_image " + name + ": file too large");
    int width = 0, height = 0, channels = 0;
    if (!stbi_info_from_memory(bytes.data(), int(bytes.size()), &width, &height, &channels))
        throw io_error("read_image " + name + ": cannot decode: " + stbi_failure_reason());
    if (channels < 1 || channels > 4)
        throw io_error("read_image " + name + ": unsupported channel count " + std::to_string(channels));
    if (std::int64_t(width) * height > (std::int64_t(1) << 26))
        throw io_error("read_image " + name + ": image too large (" + std::to_string(width) + "x" +
                       std::to_string(height) + ")");
    std::unique_ptr<unsigned char, detail::stbi_deleter> pixels(
        stbi_load_from_memory(bytes.data(), int(bytes.size()), &width, &height, &channels, 0));
    if (!pixels) throw io_error("read_image " + name + ": cannot decode: " + stbi_failure_reason());
    if (channels < 1 || channels > 4)
        throw io_error("read_image " + name + ": unsupported channel count " + std::to_string(channels));
    image img = make_image(height, width);
    const unsigned char* src = pixels.get();
    float* dst = img.data();
    const std::size_t count = std::size_t(width) * std::size_t(height);
    for (std::size_t i = 0; i < count; ++i, src += channels, dst += 3) {
        if (channels <= 2) {
            dst[0] = dst[1] = dst[2] = float(src[0]);
        } else {
            dst[0] = float(src[0]);
            dst[1] = float(src[1]);
            dst[2] = float(src[2]);
        }
    }
    return img;
}

inline image read_image(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error("read_image " + path.string() + ": cannot open file");
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw io_error("read_image " + path.string() + ": read failed");
    return decode_image(bytes, path.string());
}

inline std::vector<std::uint8_t> encode_png(const image& img) {
    const std::vector<std::uint8_t> rgb = detail::to_rgb8(img, "<memory>");
    std::vector<std::uint8_t> out;
    auto append = [](void* context, void* data, int size) {
        auto* o = static_cast<std::vector<std::uint8_t>*>(context);
        auto* p = static_cast<const std::uint8_t*>(data);
        o->insert(o->end(), p, p + size);
    };
    const int w = image_width(img), h = image_height(img);
    if (!stbi_write_png_to_func(append, &out, w, h, 3, rgb.data(), w * 3))
        throw io_error("encode_png: stb_image_write failed");
    return out;
}

inline void write_png(const std::filesystem::path& path, const image& img) {
    const std::vector<std::uint8_t> rgb = detail::to_rgb8(img, path.string());
    const int w = image_width(img), h = image_height(img);
    if (!stbi_write_png(path.string().c_str(), w, h, 3, rgb.data(), w * 3))
        throw io_error("write_png " + path.string() + ": cannot write file");
}

} // namespace jhr
