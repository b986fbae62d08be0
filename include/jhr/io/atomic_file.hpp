// jhr/io/atomic_file.hpp: replace a file so that a crash leaves either the old or the new content.
//
// atomic_file writes to "<path>.tmp.<pid>" in the target's directory; commit() fsyncs that file,
// renames it over the target and fsyncs the directory. Until commit() returns, the target keeps its
// old content (or stays absent); a destroyed, uncommitted atomic_file removes its temporary file.
// A process killed midway may leave a "<path>.tmp.<pid>" file behind, never a partial target.
// Requires: POSIX; one writer per target path at a time (threads of one process share the pid).
// Every failure throws jhr::io_error naming the path, the failed call and strerror(errno).
#pragma once

#include "jhr/core/error.hpp"

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace jhr {

class atomic_file {
public:
    // Creates (or truncates) the temporary file next to `target`.
    explicit atomic_file(std::filesystem::path target);
    atomic_file(const atomic_file&) = delete;
    atomic_file& operator=(const atomic_file&) = delete;
    ~atomic_file();

    // Appends `bytes` to the temporary file.
    void write(std::span<const std::byte> bytes);
    void write(std::string_view text) {
        write(std::as_bytes(std::span<const char>(text.data(), text.size())));
    }

    // Makes the written content the target's, durably. Call at most once.
    void commit();

    const std::filesystem::path& target() const { return target_; }
    const std::filesystem::path& temporary() const { return temporary_; }

private:
    [[noreturn]] void fail(const std::string& call, const std::filesystem::path& path, int errnum) const;

    std::filesystem::path target_;
    std::filesystem::path temporary_;
    int fd_ = -1;
    bool committed_ = false;
};

// Replaces `path` with `bytes` through an atomic_file.
void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes);
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

// fsyncs a directory, making renames and file creations inside it durable.
void sync_directory(const std::filesystem::path& directory);

// ---------------------------------------------------------------------------------------------
// Implementation

namespace detail {

inline std::filesystem::path parent_or_current(const std::filesystem::path& path) {
    const std::filesystem::path parent = path.parent_path();
    return parent.empty() ? std::filesystem::path(".") : parent;
}

} // namespace detail

inline atomic_file::atomic_file(std::filesystem::path target)
    : target_(std::move(target)),
      temporary_(target_.string() + ".tmp." + std::to_string(static_cast<long long>(::getpid()))) {
    fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) fail("open", temporary_, errno);
}

inline atomic_file::~atomic_file() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temporary_.c_str());
}

inline void atomic_file::write(std::span<const std::byte> bytes) {
    if (fd_ < 0) throw io_error("atomic write of '" + target_.string() + "': write after commit");
    const std::byte* data = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        const ::ssize_t written = ::write(fd_, data, left);
        if (written < 0) {
            if (errno == EINTR) continue;
            fail("write", temporary_, errno);
        }
        data += written;
        left -= static_cast<std::size_t>(written);
    }
}

inline void atomic_file::commit() {
    if (fd_ < 0) throw io_error("atomic write of '" + target_.string() + "': commit called twice");
    if (::fsync(fd_) != 0) fail("fsync", temporary_, errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("close", temporary_, errno);
    if (::rename(temporary_.c_str(), target_.c_str()) != 0) fail("rename to", target_, errno);
    committed_ = true;
    sync_directory(detail::parent_or_current(target_));
}

inline void atomic_file::fail(const std::string& call, const std::filesystem::path& path, int errnum) const {
    throw io_error("atomic write of '" + target_.string() + "': " + call + " '" + path.string() +
                   "' failed: " + std::strerror(errnum));
}

inline void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes) {
    atomic_file file(path);
    file.write(bytes);
    file.commit();
}

inline void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
    write_file_atomically(path, std::as_bytes(std::span<const char>(text.data(), text.size())));
}

inline void sync_directory(const std::filesystem::path& directory) {
    const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        throw io_error("cannot open directory '" + directory.string() +
                       "' to fsync it: " + std::strerror(errno));
    const int status = ::fsync(fd);
    const int errnum = errno;
    ::close(fd);
    if (status != 0)
        throw io_error("fsync of directory '" + directory.string() + "' failed: " + std::strerror(errnum));
}

} // namespace jhr
