#include "jhr/io/atomic_file.hpp"

#include "temp_dir.hpp"
#include "text.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace {

using jhr::test::slurp;

std::size_t entries_in(const std::filesystem::path& dir) {
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

} // namespace

TEST_CASE("write_file_atomically creates and replaces a file, leaving no temporary") {
    jhr::test::temp_dir dir("atomic_replace");
    const auto path = dir.path / "a.txt";
    jhr::write_file_atomically(path, std::string_view("first"));
    CHECK(slurp(path) == "first");
    jhr::write_file_atomically(path, std::string_view("second, longer"));
    CHECK(slurp(path) == "second, longer");
    jhr::write_file_atomically(path, std::string_view(""));
    CHECK(slurp(path).empty());
    CHECK(entries_in(dir.path) == 1);
}

TEST_CASE("an uncommitted atomic_file leaves the old content and removes its temporary") {
    jhr::test::temp_dir dir("atomic_abandon");
    const auto path = dir.path / "a.txt";
    jhr::write_file_atomically(path, std::string_view("old"));
    {
        jhr::atomic_file file(path);
        file.write(std::string_view("new, half"));
        CHECK(std::filesystem::exists(file.temporary()));
        CHECK(file.temporary().parent_path() == path.parent_path());
        CHECK(slurp(path) == "old");
    }
    CHECK(slurp(path) == "old");
    CHECK(entries_in(dir.path) == 1);
}

TEST_CASE("a process killed while writing leaves the old file complete") {
    jhr::test::temp_dir dir("atomic_kill");
    const auto path = dir.path / "a.txt";
    jhr::write_file_atomically(path, std::string_view("old"));
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        try {
            jhr::atomic_file file(path);
            file.write(std::string_view("new, half written"));
            ::kill(::getpid(), SIGKILL);
        } catch (...) {
        }
        ::_exit(1);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status));
    CHECK(slurp(path) == "old");
    const auto leftover = std::filesystem::path(path.string() + ".tmp." + std::to_string(child));
    CHECK(slurp(leftover) == "new, half written");
}

TEST_CASE("a failed rename throws io_error naming the path and leaves the target alone") {
    jhr::test::temp_dir dir("atomic_rename_fails");
    const auto target = dir.path / "occupied";
    std::filesystem::create_directories(target / "inside");
    jhr::atomic_file file(target);
    file.write(std::string_view("data"));
    try {
        file.commit();
        FAIL("commit over a non-empty directory succeeded");
    } catch (const jhr::io_error& e) {
        const std::string message = e.what();
        CHECK(message.find(target.string()) != std::string::npos);
        CHECK(message.find("rename") != std::string::npos);
    }
    CHECK(std::filesystem::is_directory(target / "inside"));
}

TEST_CASE("atomic_file reports a missing directory and misuse") {
    jhr::test::temp_dir dir("atomic_errors");
    const auto missing = dir.path / "no_such_dir" / "a.txt";
    try {
        jhr::write_file_atomically(missing, std::string_view("x"));
        FAIL("write into a missing directory succeeded");
    } catch (const jhr::io_error& e) {
        const std::string message = e.what();
        CHECK(message.find(missing.string()) != std::string::npos);
        CHECK(message.find("No such file or directory") != std::string::npos);
    }
    jhr::atomic_file file(dir.path / "b.txt");
    file.commit();
    CHECK_THROWS_AS(file.write(std::string_view("late")), jhr::io_error);
    CHECK_THROWS_AS(file.commit(), jhr::io_error);
    CHECK_THROWS_AS(jhr::sync_directory(dir.path / "no_such_dir"), jhr::io_error);
}
