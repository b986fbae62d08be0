// jhr/core/error.hpp: the typed error hierarchy every jhr component throws.
//
// jhr::error is the root; each subclass names what went wrong: a shape mismatch, a file that cannot
// be read or written, a backend (vendor library) failure, or a protocol/format violation in an input
// file (pairs lists, checkpoints, landmarks). Messages carry the values that explain them
// (shapes, file and line); `where` prefixes a message with the C++ source location that raised it.
#pragma once

#include <stdexcept>
#include <string>
#include <version>
#ifdef __cpp_lib_source_location
#include <source_location>
#endif

namespace jhr {

class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Tensor or argument shapes disagree, e.g. "conv2d: input [2, 3, 8, 8] has 3 channels, weight expects 4".
class shape_error : public error {
public:
    using error::error;
};

// A file could not be opened, read, decoded or written; the message names the path.
class io_error : public error {
public:
    using error::error;
};

// A backend primitive or vendor library (oneDNN, CUDA, cuDNN, cuBLAS) failed; names the call.
class backend_error : public error {
public:
    using error::error;
};

// An input file breaks its format: malformed line, wrong field count, bad magic or checksum.
// The message names the file and, where there is one, the line.
class protocol_error : public error {
public:
    using error::error;
};

// "file.hpp:42: message", for errors raised by internal checks.
#ifdef __cpp_lib_source_location
inline std::string where(const std::string& message,
                         std::source_location loc = std::source_location::current()) {
    return std::string(loc.file_name()) + ":" + std::to_string(loc.line()) + ": " + message;
}
#else
// Standard libraries without std::source_location for this compiler (libstdc++ 12 under clang 14,
// as used by the fuzz targets): the same from the builtins both compilers provide.
inline std::string where(const std::string& message, const char* file = __builtin_FILE(),
                         int line = __builtin_LINE()) {
    return std::string(file) + ":" + std::to_string(line) + ": " + message;
}
#endif

} // namespace jhr
