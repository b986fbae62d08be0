#include "jhr/io/safetensors.hpp"

#include "temp_dir.hpp"
#include "text.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
    std::vector<std::byte> bytes;
    for (const int v : values) bytes.push_back(std::byte(v));
    return bytes;
}

// A file image from a header text (unpadded) and a data section.
std::vector<std::byte> make_file(const std::string& header, const std::vector<std::byte>& data) {
    std::vector<std::byte> bytes;
    std::uint64_t length = header.size();
    for (int i = 0; i < 8; ++i) bytes.push_back(std::byte((length >> (8 * i)) & 0xFF));
    for (const char c : header) bytes.push_back(std::byte(static_cast<unsigned char>(c)));
    bytes.insert(bytes.end(), data.begin(), data.end());
    return bytes;
}

// The message of the protocol_error parsing `bytes` throws; fails the test if it does not throw one.
std::string parse_error(const std::vector<std::byte>& bytes) {
    try {
        jhr::parse_safetensors(bytes, "hostile.safetensors");
    } catch (const jhr::protocol_error& e) {
        return e.what();
    }
    FAIL("parse_safetensors accepted the file");
    return {};
}

using jhr::test::contains;

} // namespace

TEST_CASE("dtype names and sizes") {
    using jhr::safetensors_dtype;
    CHECK(jhr::dtype_name(safetensors_dtype::f32) == "F32");
    CHECK(jhr::dtype_name(safetensors_dtype::i64) == "I64");
    CHECK(jhr::dtype_size(safetensors_dtype::f64) == 8);
    CHECK(jhr::dtype_size(safetensors_dtype::i32) == 4);
    CHECK(jhr::dtype_size(safetensors_dtype::u8) == 1);
    CHECK(jhr::parse_dtype_name("U8") == safetensors_dtype::u8);
    CHECK_FALSE(jhr::parse_dtype_name("BF16"));
    CHECK(jhr::shape_string({}) == "[]");
    CHECK(jhr::shape_string({2, 3}) == "[2, 3]");
}

TEST_CASE("every dtype round-trips through bytes and through a file") {
    jhr::safetensors_file file;
    file.metadata = {{"format", "test"}, {"note", "ünïcode ✓"}};
    file.tensors.push_back(
        jhr::named_tensor::from_values("f32", {2, 3}, std::vector<float>{1, -2, 3.5f, 0, 1e-30f, 7}));
    file.tensors.push_back(jhr::named_tensor::from_values("f64", {3}, std::vector<double>{1e300, -0.25, 3}));
    file.tensors.push_back(
        jhr::named_tensor::from_values("i32", {2, 1}, std::vector<std::int32_t>{-7, 2147483647}));
    file.tensors.push_back(
        jhr::named_tensor::from_values("i64", {}, std::vector<std::int64_t>{-(std::int64_t(1) << 40)}));
    file.tensors.push_back(
        jhr::named_tensor::from_values("u8", {4}, std::vector<std::uint8_t>{0, 1, 128, 255}));
    file.tensors.push_back(jhr::named_tensor::from_values("empty", {0, 5}, std::vector<float>{}));

    const auto check = [&](const jhr::safetensors_file& back) {
        CHECK(back.metadata == file.metadata);
        REQUIRE(back.tensors.size() == file.tensors.size());
        for (std::size_t i = 0; i < file.tensors.size(); ++i) {
            CHECK(back.tensors[i].name == file.tensors[i].name);
            CHECK(back.tensors[i].dtype == file.tensors[i].dtype);
            CHECK(back.tensors[i].shape == file.tensors[i].shape);
            CHECK(back.tensors[i].bytes == file.tensors[i].bytes);
        }
        CHECK(back.find("f32")->values<float>() == std::vector<float>{1, -2, 3.5f, 0, 1e-30f, 7});
        CHECK(back.find("f64")->values<double>() == std::vector<double>{1e300, -0.25, 3});
        CHECK(back.find("i32")->values<std::int32_t>() == std::vector<std::int32_t>{-7, 2147483647});
        CHECK(back.find("i64")->values<std::int64_t>() ==
              std::vector<std::int64_t>{-(std::int64_t(1) << 40)});
        CHECK(back.find("u8")->values<std::uint8_t>() == std::vector<std::uint8_t>{0, 1, 128, 255});
        CHECK(back.find("empty")->element_count() == 0);
        CHECK(back.find("missing") == nullptr);
    };
    const auto bytes = jhr::serialize_safetensors(file);
    std::uint64_t header_length = 0;
    std::memcpy(&header_length, bytes.data(), 8);
    CHECK(header_length % 8 == 0);
    check(jhr::parse_safetensors(bytes, "memory"));

    jhr::test::temp_dir dir("safetensors_roundtrip");
    jhr::write_safetensors(dir.path / "t.safetensors", file);
    check(jhr::read_safetensors(dir.path / "t.safetensors"));
}

TEST_CASE("a tiny file has exactly the bytes the format prescribes") {
    // Header written out by hand: 132 characters of compact JSON, padded with 4 spaces to 136 = 0x88.
    // 1.0f = 0x3F800000, -2.0f = 0xC0000000, little-endian; int64 5 little-endian.
    const std::string header =
        R"({"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
        R"("b":{"dtype":"I64","shape":[],"data_offsets":[8,16]}})";
    REQUIRE(header.size() == 132);
    std::vector<std::byte> expected = bytes_of({0x88, 0, 0, 0, 0, 0, 0, 0});
    for (const char c : header + "    ") expected.push_back(std::byte(c));
    for (const auto b : bytes_of({0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, 5, 0, 0, 0, 0, 0, 0, 0}))
        expected.push_back(b);
    REQUIRE(expected.size() == 160);

    jhr::safetensors_file file;
    file.metadata = {{"k", "v"}};
    file.tensors.push_back(jhr::named_tensor::from_values("a", {2}, std::vector<float>{1.0f, -2.0f}));
    file.tensors.push_back(jhr::named_tensor::from_values("b", {}, std::vector<std::int64_t>{5}));
    CHECK(jhr::serialize_safetensors(file) == expected);
}

TEST_CASE("a file with no metadata has no __metadata__ key") {
    jhr::safetensors_file file;
    file.tensors.push_back(jhr::named_tensor::from_values("x", {1}, std::vector<std::uint8_t>{9}));
    const std::string header = R"({"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})";
    std::string padded = header;
    padded.resize(56, ' ');
    CHECK(jhr::serialize_safetensors(file) == make_file(padded, bytes_of({9})));
}

TEST_CASE("reading accepts any key order and padding and returns tensors in data order") {
    const std::string header = R"( {"second": {"dtype": "U8", "shape": [1], "data_offsets": [2, 3]},)"
                               R"( "first": {"shape": [2], "data_offsets": [0, 2], "dtype": "U8"}} )";
    const auto file = jhr::parse_safetensors(make_file(header, bytes_of({1, 2, 3})), "reordered");
    REQUIRE(file.tensors.size() == 2);
    CHECK(file.metadata.empty());
    CHECK(file.tensors[0].name == "first");
    CHECK(file.tensors[0].values<std::uint8_t>() == std::vector<std::uint8_t>{1, 2});
    CHECK(file.tensors[1].name == "second");
    CHECK(file.tensors[1].values<std::uint8_t>() == std::vector<std::uint8_t>{3});
}

TEST_CASE("every truncation and any trailing byte is a protocol_error naming the file") {
    jhr::safetensors_file file;
    file.metadata = {{"k", "v"}};
    file.tensors.push_back(jhr::named_tensor::from_values("a", {2}, std::vector<float>{1.0f, -2.0f}));
    file.tensors.push_back(jhr::named_tensor::from_values("b", {}, std::vector<std::int64_t>{5}));
    const auto bytes = jhr::serialize_safetensors(file);
    for (std::size_t size = 0; size < bytes.size(); ++size) {
        CAPTURE(size);
        const std::string message = parse_error({bytes.begin(), bytes.begin() + std::ptrdiff_t(size)});
        CHECK(contains(message, "hostile.safetensors"));
    }
    auto longer = bytes;
    longer.push_back(std::byte{0});
    CHECK(contains(parse_error(longer), "1 trailing bytes after tensor 'b'"));
}

TEST_CASE("hostile headers are protocol_errors that say what is wrong") {
    const auto data8 = bytes_of({0, 0, 0, 0, 0, 0, 0, 0});
    const auto entry = [](const std::string& name, const std::string& body) {
        return "\"" + name + "\":{" + body + "}";
    };
    const auto f32 = [&](const std::string& name, const std::string& shape, const std::string& offsets) {
        return entry(name, R"("dtype":"F32","shape":)" + shape + R"(,"data_offsets":)" + offsets);
    };
    struct hostile_case {
        std::string header;
        std::string message;
    };
    const std::vector<hostile_case> cases = {
        {"{", "not valid JSON"},
        {"[]", "not a JSON object"},
        {"", "not valid JSON"},
        {"{" + f32("a", "[2]", "[0,8]") + "} x", "not valid JSON"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"a\":{}}", "repeats the key 'a'"},
        {"{" + entry("a", R"("dtype":"BF16","shape":[4],"data_offsets":[0,8])") + "}",
         "unknown dtype \"BF16\""},
        {"{" + entry("a", R"("dtype":3,"shape":[2],"data_offsets":[0,8])") + "}", "unknown dtype 3"},
        {"{" + entry("a", R"("dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1)") + "}",
         "unknown key 'extra'"},
        {"{" + entry("a", R"("dtype":"F32","shape":[2])") + "}", "lacks 'data_offsets'"},
        {"{\"a\":[1]}", "tensor 'a' is not a JSON object"},
        {"{" + f32("a", "[-2]", "[0,8]") + "}", "not an unsigned integer"},
        {"{" + f32("a", "[2.0]", "[0,8]") + "}", "not an unsigned integer"},
        {"{" + f32("a", "2", "[0,8]") + "}", "not an array"},
        {"{" + f32("a", "[4611686018427387904,4611686018427387904]", "[0,8]") + "}",
         "more elements than fit"},
        {"{" + f32("a", "[18446744073709551615]", "[0,8]") + "}", "too large"},
        {"{" + f32("a", "[2]", "[0]") + "}", "not [begin, end]"},
        {"{" + f32("a", "[2]", "[8,0]") + "}", "begin after end"},
        {"{" + f32("a", "[2]", "[0,16]") + "}", "run past the 8-byte data section"},
        {"{" + f32("a", "[2]", "[0,18446744073709551615]") + "}", "run past"},
        {"{" + f32("a", "[1]", "[0,4]") + "," + f32("b", "[1]", "[2,6]") + "}", "overlap tensor 'a'"},
        {"{" + f32("a", "[1]", "[4,8]") + "}", "gap of 4 bytes"},
        {"{" + f32("a", "[1]", "[0,8]") + "}", "does not fit its data_offsets [0, 8]"},
        {"{" + f32("a", "[1]", "[0,4]") + "}", "4 trailing bytes"},
        {"{\"__metadata__\":[]," + f32("a", "[2]", "[0,8]") + "}", "__metadata__ is not a JSON object"},
        {"{\"__metadata__\":{\"n\":1}," + f32("a", "[2]", "[0,8]") + "}", "entry 'n' is 1, not a string"},
        {"{\"__metadata__\":{\"n\":\"\xff\"}," + f32("a", "[2]", "[0,8]") + "}", "not valid JSON"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.header);
        const std::string message = parse_error(make_file(c.header, data8));
        CHECK(contains(message, "hostile.safetensors"));
        CHECK_MESSAGE(contains(message, c.message), message);
    }
    CHECK(contains(parse_error(bytes_of({1, 2, 3})), "file too short: 3 bytes"));
    CHECK(contains(parse_error(bytes_of({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, '{', '}'})),
                   "header length 18446744073709551615 exceeds the 2 bytes"));
    CHECK(contains(parse_error(bytes_of({0, 0, 0, 0, 0, 0, 0, 0})), "not valid JSON"));
}

TEST_CASE("writing refuses tensors that cannot be stored") {
    const auto write = [](std::vector<jhr::named_tensor> tensors) {
        jhr::safetensors_file file;
        file.tensors = std::move(tensors);
        return jhr::serialize_safetensors(file);
    };
    const auto one = jhr::named_tensor::from_values("w", {1}, std::vector<float>{1});
    CHECK_THROWS_AS(write({one, one}), jhr::protocol_error);
    CHECK_THROWS_AS(write({jhr::named_tensor::from_values("__metadata__", {1}, std::vector<float>{1})}),
                    jhr::protocol_error);
    CHECK_THROWS_AS(write({jhr::named_tensor::from_values("bad\xff", {1}, std::vector<float>{1})}),
                    jhr::protocol_error);
    auto short_bytes = one;
    short_bytes.bytes.pop_back();
    CHECK_THROWS_AS(write({short_bytes}), jhr::shape_error);
    auto negative = one;
    negative.shape = {-1};
    CHECK_THROWS_AS(write({negative}), jhr::shape_error);
    CHECK_THROWS_AS(jhr::named_tensor::from_values("w", {2, 2}, std::vector<float>{1, 2, 3}),
                    jhr::shape_error);
    CHECK_THROWS_AS(one.values<double>(), jhr::protocol_error);
}

TEST_CASE("read_safetensors reports unreadable files as io_error naming the path") {
    jhr::test::temp_dir dir("safetensors_missing");
    try {
        jhr::read_safetensors(dir.path / "absent.safetensors");
        FAIL("reading a missing file succeeded");
    } catch (const jhr::io_error& e) {
        CHECK(contains(e.what(), (dir.path / "absent.safetensors").string()));
    }
    CHECK_THROWS_AS(jhr::read_safetensors(dir.path), jhr::io_error);
}
