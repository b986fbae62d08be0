// jhr/io/safetensors.hpp: named tensors in the safetensors format, in memory and on disk.
//
// Layout (https://github.com/huggingface/safetensors): an 8-byte little-endian unsigned header length
// N, then N bytes of UTF-8 JSON, then the data section. The JSON object maps "__metadata__" to a
// {string: string} object and each tensor name to {"dtype", "shape", "data_offsets": [begin, end]},
// offsets in bytes relative to the start of the data section. Tensor data is little-endian, row-major.
//
// Writing ensures: tensors are packed in the given order without gaps; "__metadata__" comes first
// (omitted when empty); the JSON is compact and padded with spaces so that N is a multiple of 8.
// Reading accepts any valid file (any key order, any padding) and rejects everything else with
// jhr::protocol_error "<source>: <what is wrong>": a file shorter than 8 bytes, a header length past
// the end of the file or over 100 MB, invalid JSON or UTF-8, duplicate keys, unknown keys or dtypes,
// malformed shapes or offsets, offsets that overlap, leave gaps, leave trailing bytes, run past the
// data section or disagree with dtype size * element count. The parsed tensors are in data order.
// Requires a little-endian host (checked at compile time).
#pragma once

#include "jhr/core/error.hpp"
#include "jhr/io/atomic_file.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace jhr {

static_assert(std::endian::native == std::endian::little, "jhr safetensors I/O needs a little-endian host");

enum class safetensors_dtype { f32, f64, i32, i64, u8 };

// "F32", "F64", "I32", "I64", "U8".
std::string_view dtype_name(safetensors_dtype dtype);
std::size_t dtype_size(safetensors_dtype dtype);
std::optional<safetensors_dtype> parse_dtype_name(std::string_view name);

// The dtype stored for a C++ element type.
template <class T>
constexpr safetensors_dtype dtype_of = [] {
    static_assert(sizeof(T) == 0, "safetensors stores float, double, int32_t, int64_t and uint8_t");
    return safetensors_dtype::u8;
}();
template <>
constexpr safetensors_dtype dtype_of<float> = safetensors_dtype::f32;
template <>
constexpr safetensors_dtype dtype_of<double> = safetensors_dtype::f64;
template <>
constexpr safetensors_dtype dtype_of<std::int32_t> = safetensors_dtype::i32;
template <>
constexpr safetensors_dtype dtype_of<std::int64_t> = safetensors_dtype::i64;
template <>
constexpr safetensors_dtype dtype_of<std::uint8_t> = safetensors_dtype::u8;

// One tensor: its name, dtype, shape (empty for a scalar) and raw little-endian bytes.
struct named_tensor {
    std::string name;
    safetensors_dtype dtype = safetensors_dtype::f32;
    std::vector<std::int64_t> shape;
    std::vector<std::byte> bytes;

    // Product of the dimensions; 1 for a scalar.
    std::int64_t element_count() const;

    // Throws shape_error unless values.size() is the product of `shape` (dimensions >= 0).
    template <class T>
    static named_tensor from_values(std::string name, std::vector<std::int64_t> shape,
                                    std::span<const T> values);
    template <class T>
    static named_tensor from_values(std::string name, std::vector<std::int64_t> shape,
                                    const std::vector<T>& values) {
        return from_values(std::move(name), std::move(shape), std::span<const T>(values));
    }

    // Throws protocol_error unless dtype == dtype_of<T>.
    template <class T>
    std::vector<T> values() const;
};

struct safetensors_file {
    std::map<std::string, std::string> metadata;
    std::vector<named_tensor> tensors;

    // nullptr when absent.
    const named_tensor* find(std::string_view name) const;
};

// "[2, 3]"; "[]" for a scalar.
std::string shape_string(const std::vector<std::int64_t>& shape);

// Throws protocol_error for a name that is duplicated or "__metadata__", or that is not valid UTF-8,
// and shape_error for a negative dimension or a byte count that disagrees with dtype and shape.
std::vector<std::byte> serialize_safetensors(const safetensors_file& file);

// Parses a complete file image; `source` names it in error messages.
safetensors_file parse_safetensors(std::span<const std::byte> bytes, const std::string& source);

// Writes through atomic_file: a crash leaves the previous file or the new one.
void write_safetensors(const std::filesystem::path& path, const safetensors_file& file);

// Throws io_error when the file cannot be read, protocol_error when it is not valid safetensors.
safetensors_file read_safetensors(const std::filesystem::path& path);

// ---------------------------------------------------------------------------------------------
// Implementation

inline std::string_view dtype_name(safetensors_dtype dtype) {
    switch (dtype) {
    case safetensors_dtype::f32:
        return "F32";
    case safetensors_dtype::f64:
        return "F64";
    case safetensors_dtype::i32:
        return "I32";
    case safetensors_dtype::i64:
        return "I64";
    case safetensors_dtype::u8:
        return "U8";
    }
    throw error(where("invalid safetensors_dtype " + std::to_string(static_cast<int>(dtype))));
}

inline std::size_t dtype_size(safetensors_dtype dtype) {
    switch (dtype) {
    case safetensors_dtype::f32:
        return 4;
    case safetensors_dtype::f64:
        return 8;
    case safetensors_dtype::i32:
        return 4;
    case safetensors_dtype::i64:
        return 8;
    case safetensors_dtype::u8:
        return 1;
    }
    throw error(where("invalid safetensors_dtype " + std::to_string(static_cast<int>(dtype))));
}

inline std::optional<safetensors_dtype> parse_dtype_name(std::string_view name) {
    for (const auto dtype : {safetensors_dtype::f32, safetensors_dtype::f64, safetensors_dtype::i32,
                             safetensors_dtype::i64, safetensors_dtype::u8})
        if (dtype_name(dtype) == name) return dtype;
    return std::nullopt;
}

inline std::string shape_string(const std::vector<std::int64_t>& shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

namespace detail {

// Element count of `shape`, or nullopt for a negative dimension or a count beyond int64.
inline std::optional<std::int64_t> checked_element_count(std::span<const std::int64_t> shape) {
    if (std::any_of(shape.begin(), shape.end(), [](std::int64_t d) { return d < 0; })) return std::nullopt;
    if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return 0;
    std::int64_t count = 1;
    for (const std::int64_t d : shape) {
        if (count > std::numeric_limits<std::int64_t>::max() / d) return std::nullopt;
        count *= d;
    }
    return count;
}

} // namespace detail

inline std::int64_t named_tensor::element_count() const {
    const auto count = detail::checked_element_count(shape);
    if (!count) throw shape_error("tensor '" + name + "': invalid shape " + shape_string(shape));
    return *count;
}

template <class T>
named_tensor named_tensor::from_values(std::string name, std::vector<std::int64_t> shape,
                                       std::span<const T> values) {
    named_tensor tensor{std::move(name), dtype_of<T>, std::move(shape), {}};
    if (static_cast<std::uint64_t>(tensor.element_count()) != values.size())
        throw shape_error("tensor '" + tensor.name + "': shape " + shape_string(tensor.shape) + " needs " +
                          std::to_string(tensor.element_count()) + " values, got " +
                          std::to_string(values.size()));
    const auto raw = std::as_bytes(values);
    tensor.bytes.assign(raw.begin(), raw.end());
    return tensor;
}

template <class T>
std::vector<T> named_tensor::values() const {
    if (dtype != dtype_of<T>)
        throw protocol_error("tensor '" + name + "' holds " + std::string(dtype_name(dtype)) + ", read as " +
                             std::string(dtype_name(dtype_of<T>)));
    std::vector<T> result(bytes.size() / sizeof(T));
    if (!bytes.empty()) std::memcpy(result.data(), bytes.data(), result.size() * sizeof(T));
    return result;
}

inline const named_tensor* safetensors_file::find(std::string_view name) const {
    const auto it =
        std::find_if(tensors.begin(), tensors.end(), [&](const named_tensor& t) { return t.name == name; });
    return it == tensors.end() ? nullptr : &*it;
}

inline std::vector<std::byte> serialize_safetensors(const safetensors_file& file) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!file.metadata.empty()) header["__metadata__"] = file.metadata;
    std::uint64_t offset = 0;
    for (const named_tensor& tensor : file.tensors) {
        if (tensor.name == "__metadata__")
            throw protocol_error("cannot write safetensors: '__metadata__' is reserved, not a tensor name");
        if (header.contains(tensor.name))
            throw protocol_error("cannot write safetensors: tensor name '" + tensor.name + "' appears twice");
        const std::uint64_t size =
            static_cast<std::uint64_t>(tensor.element_count()) * dtype_size(tensor.dtype);
        if (size != tensor.bytes.size())
            throw shape_error("cannot write safetensors: tensor '" + tensor.name + "' of dtype " +
                              std::string(dtype_name(tensor.dtype)) + " and shape " +
                              shape_string(tensor.shape) + " needs " + std::to_string(size) +
                              " bytes, holds " + std::to_string(tensor.bytes.size()));
        header[tensor.name] = {{"dtype", dtype_name(tensor.dtype)},
                               {"shape", tensor.shape},
                               {"data_offsets", {offset, offset + size}}};
        offset += size;
    }
    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::json::exception& e) {
        throw protocol_error(std::string("cannot write safetensors: ") + e.what());
    }
    text.resize((text.size() + 7) / 8 * 8, ' ');

    std::vector<std::byte> bytes(8 + text.size() + offset);
    const std::uint64_t length = text.size();
    std::memcpy(bytes.data(), &length, 8);
    std::memcpy(bytes.data() + 8, text.data(), text.size());
    std::byte* data = bytes.data() + 8 + text.size();
    for (const named_tensor& tensor : file.tensors) {
        if (!tensor.bytes.empty()) std::memcpy(data, tensor.bytes.data(), tensor.bytes.size());
        data += tensor.bytes.size();
    }
    return bytes;
}

namespace detail {

struct parsed_entry {
    named_tensor tensor;
    std::uint64_t begin = 0, end = 0;
};

inline std::uint64_t json_unsigned(const nlohmann::json& value, const std::string& what,
                                   const std::string& source) {
    if (!value.is_number_unsigned())
        throw protocol_error(source + ": " + what + " is " + value.dump() + ", not an unsigned integer");
    return value.get<std::uint64_t>();
}

inline parsed_entry parse_tensor_entry(const std::string& name, const nlohmann::json& info,
                                       const std::string& source) {
    const std::string what = "tensor '" + name + "'";
    if (!info.is_object()) throw protocol_error(source + ": " + what + " is not a JSON object");
    for (const auto& [key, value] : info.items())
        if (key != "dtype" && key != "shape" && key != "data_offsets")
            throw protocol_error(source + ": " + what + " has unknown key '" + key + "'");
    for (const char* key : {"dtype", "shape", "data_offsets"})
        if (!info.contains(key)) throw protocol_error(source + ": " + what + " lacks '" + key + "'");

    parsed_entry entry;
    entry.tensor.name = name;
    const auto& dtype = info["dtype"];
    const auto parsed_dtype = dtype.is_string() ? parse_dtype_name(dtype.get<std::string>()) : std::nullopt;
    if (!parsed_dtype)
        throw protocol_error(source + ": " + what + " has unknown dtype " + dtype.dump() +
                             " (supported: F32, F64, I32, I64, U8)");
    entry.tensor.dtype = *parsed_dtype;

    const auto& shape = info["shape"];
    if (!shape.is_array())
        throw protocol_error(source + ": " + what + " has shape " + shape.dump() + ", not an array");
    for (const auto& dim : shape) {
        const std::uint64_t d = json_unsigned(dim, what + " shape dimension", source);
        if (d > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            throw protocol_error(source + ": " + what + " shape dimension " + std::to_string(d) +
                                 " is too large");
        entry.tensor.shape.push_back(static_cast<std::int64_t>(d));
    }
    if (!checked_element_count(entry.tensor.shape))
        throw protocol_error(source + ": " + what + " shape " + shape_string(entry.tensor.shape) +
                             " has more elements than fit in 64 bits");

    const auto& offsets = info["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2)
        throw protocol_error(source + ": " + what + " has data_offsets " + offsets.dump() +
                             ", not [begin, end]");
    entry.begin = json_unsigned(offsets[0], what + " data_offsets begin", source);
    entry.end = json_unsigned(offsets[1], what + " data_offsets end", source);
    if (entry.begin > entry.end)
        throw protocol_error(source + ": " + what + " has data_offsets [" + std::to_string(entry.begin) +
                             ", " + std::to_string(entry.end) + "] with begin after end");
    return entry;
}

// nlohmann::json keeps the last of duplicate keys; safetensors headers must not have any.
inline nlohmann::json parse_header_json(std::string_view text, const std::string& source) {
    std::vector<std::set<std::string>> keys_per_object;
    std::string duplicate;
    const nlohmann::json::parser_callback_t track_keys = [&](int, nlohmann::json::parse_event_t event,
                                                             nlohmann::json& parsed) {
        if (event == nlohmann::json::parse_event_t::object_start) keys_per_object.emplace_back();
        if (event == nlohmann::json::parse_event_t::object_end && !keys_per_object.empty())
            keys_per_object.pop_back();
        if (event == nlohmann::json::parse_event_t::key && !keys_per_object.empty() &&
            !keys_per_object.back().insert(parsed.get<std::string>()).second && duplicate.empty())
            duplicate = parsed.get<std::string>();
        return true;
    };
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(text.begin(), text.end(), track_keys);
    } catch (const nlohmann::json::exception& e) {
        throw protocol_error(source + ": header is not valid JSON: " + e.what());
    }
    if (!duplicate.empty()) throw protocol_error(source + ": header repeats the key '" + duplicate + "'");
    if (!header.is_object()) throw protocol_error(source + ": header is not a JSON object");
    return header;
}

} // namespace detail

inline safetensors_file parse_safetensors(std::span<const std::byte> bytes, const std::string& source) {
    constexpr std::uint64_t max_header_length = 100'000'000;
    if (bytes.size() < 8)
        throw protocol_error(source + ": file too short: " + std::to_string(bytes.size()) +
                             " bytes, the header length alone takes 8");
    std::uint64_t length = 0;
    std::memcpy(&length, bytes.data(), 8);
    if (length > bytes.size() - 8)
        throw protocol_error(source + ": header length " + std::to_string(length) + " exceeds the " +
                             std::to_string(bytes.size() - 8) + " bytes after the length field");
    if (length > max_header_length)
        throw protocol_error(source + ": header length " + std::to_string(length) + " exceeds the limit of " +
                             std::to_string(max_header_length));
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()) + 8, length);
    const nlohmann::json header = detail::parse_header_json(text, source);
    const std::span<const std::byte> data = bytes.subspan(8 + length);

    safetensors_file file;
    std::vector<detail::parsed_entry> entries;
    for (const auto& [key, value] : header.items()) {
        if (key != "__metadata__") {
            entries.push_back(detail::parse_tensor_entry(key, value, source));
            continue;
        }
        if (!value.is_object()) throw protocol_error(source + ": __metadata__ is not a JSON object");
        for (const auto& [name, text_value] : value.items()) {
            if (!text_value.is_string())
                throw protocol_error(source + ": __metadata__ entry '" + name + "' is " + text_value.dump() +
                                     ", not a string");
            file.metadata[name] = text_value.get<std::string>();
        }
    }

    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    std::uint64_t expected_begin = 0;
    std::string previous = "the start of the data section";
    for (detail::parsed_entry& entry : entries) {
        named_tensor& tensor = entry.tensor;
        std::string offsets = "[";
        offsets += std::to_string(entry.begin) + ", " + std::to_string(entry.end) + "]";
        if (entry.end > data.size())
            throw protocol_error(source + ": tensor '" + tensor.name + "' data_offsets " + offsets +
                                 " run past the " + std::to_string(data.size()) + "-byte data section");
        if (entry.begin < expected_begin)
            throw protocol_error(source + ": tensor '" + tensor.name + "' data_offsets " + offsets +
                                 " overlap " + previous);
        if (entry.begin > expected_begin)
            throw protocol_error(source + ": tensor '" + tensor.name + "' data_offsets " + offsets +
                                 " leave a gap of " + std::to_string(entry.begin - expected_begin) +
                                 " bytes after " + previous);
        const std::uint64_t count = static_cast<std::uint64_t>(tensor.element_count());
        const std::uint64_t element = dtype_size(tensor.dtype);
        if (count > data.size() / element || count * element != entry.end - entry.begin)
            throw protocol_error(source + ": tensor '" + tensor.name + "' of dtype " +
                                 std::string(dtype_name(tensor.dtype)) + " and shape " +
                                 shape_string(tensor.shape) + " does not fit its data_offsets " + offsets);
        const auto span = data.subspan(entry.begin, entry.end - entry.begin);
        tensor.bytes.assign(span.begin(), span.end());
        expected_begin = entry.end;
        previous = "tensor '" + tensor.name + "'";
        file.tensors.push_back(std::move(tensor));
    }
    if (expected_begin != data.size())
        throw protocol_error(source + ": " + std::to_string(data.size() - expected_begin) +
                             " trailing bytes after " + previous);
    return file;
}

inline void write_safetensors(const std::filesystem::path& path, const safetensors_file& file) {
    write_file_atomically(path, serialize_safetensors(file));
}

inline safetensors_file read_safetensors(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw io_error("cannot read '" + path.string() + "': " + (ec ? ec.message() : "not a regular file"));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error("cannot open '" + path.string() + "': " + std::strerror(errno));
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    in.seekg(0, std::ios::beg);
    if (size < 0) throw io_error("cannot determine the size of '" + path.string() + "'");
    std::vector<std::byte> bytes(static_cast<std::size_t>(size));
    if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size))
        throw io_error("cannot read " + std::to_string(size) + " bytes from '" + path.string() + "'");
    return parse_safetensors(bytes, path.string());
}

} // namespace jhr
