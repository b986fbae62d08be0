// The host block cache behind every host-memory buffer (backends/reference/host_allocator.hpp).
#include "jhr/backends/reference/host_allocator.hpp"

#include <doctest/doctest.h>

#include <cstdint>

using jhr::backends::host_block_cache;

namespace {
constexpr std::size_t mib = std::size_t(1) << 20;

bool aligned(const void* p) {
    return reinterpret_cast<std::uintptr_t>(p) % host_block_cache::alignment == 0;
}
} // namespace

#if !defined(__SANITIZE_ADDRESS__)
TEST_CASE("host_block_cache hands a freed large block to the next request that fits") {
    auto& cache = host_block_cache::instance();
    cache.release_cached();
    const std::size_t from_system = cache.blocks_from_system();
    void* a = cache.allocate(3 * mib);
    CHECK(aligned(a));
    CHECK(cache.blocks_from_system() == from_system + 1);
    cache.deallocate(a, 3 * mib);
    CHECK(cache.cached_bytes() == 3 * mib);
    void* b = cache.allocate(2 * mib); // 3 MiB is within 2x of 2 MiB
    CHECK(b == a);
    CHECK(cache.blocks_from_system() == from_system + 1);
    CHECK(cache.cached_bytes() == 0);
    cache.deallocate(b, 2 * mib); // the block goes back at its real size
    CHECK(cache.cached_bytes() == 3 * mib);
    void* small = cache.allocate(mib + 1); // 3 MiB is more than twice as large: a fresh block
    CHECK(small != a);
    CHECK(aligned(small));
    cache.deallocate(small, mib + 1);
    CHECK(cache.cached_bytes() == 3 * mib + mib + host_block_cache::alignment);
    cache.release_cached();
    CHECK(cache.cached_bytes() == 0);
}

TEST_CASE("host_block_cache: a request no cached block fits frees the smaller ones") {
    auto& cache = host_block_cache::instance();
    cache.release_cached();
    void* a = cache.allocate(2 * mib);
    void* b = cache.allocate(5 * mib);
    cache.deallocate(a, 2 * mib);
    cache.deallocate(b, 5 * mib);
    void* c = cache.allocate(4 * mib); // fits the 5 MiB block
    CHECK(c == b);
    void* d = cache.allocate(3 * mib); // the 2 MiB block is too small: freed, a fresh block
    CHECK(cache.cached_bytes() == 0);
    cache.deallocate(c, 4 * mib);
    cache.deallocate(d, 3 * mib);
    CHECK(cache.cached_bytes() == 8 * mib);
    cache.release_cached();
}
#endif

TEST_CASE("host_block_cache keeps small blocks by size class") {
    auto& cache = host_block_cache::instance();
    cache.release_cached();
    const std::size_t from_system = cache.blocks_from_system();
    void* p = cache.allocate(1000);
    CHECK(aligned(p));
    cache.deallocate(p, 1000);
#if defined(__SANITIZE_ADDRESS__)
    CHECK(cache.cached_bytes() == 0);
    CHECK(cache.blocks_from_system() == from_system); // nothing is counted without caching
#else
    CHECK(cache.cached_bytes() == 1024);
    CHECK(cache.allocate(1020) == p); // the same 1024-byte class
    cache.deallocate(p, 1020);
    void* q = cache.allocate(5000); // above 4 KiB: classes a quarter power of two apart, 5120 here
    cache.deallocate(q, 5000);
    CHECK(cache.cached_bytes() == 1024 + 5120);
    CHECK(cache.allocate(5120) == q);
    void* r = cache.allocate(5121); // the next class, 6144
    CHECK(r != q);
    cache.deallocate(q, 5120);
    cache.deallocate(r, 5121);
    CHECK(cache.blocks_from_system() == from_system + 3);
    void* edge = cache.allocate(host_block_cache::cached_block_bytes - 64); // rounds to the 1 MiB class
    CHECK(aligned(edge));
    cache.deallocate(edge, host_block_cache::cached_block_bytes - 64);
    CHECK(cache.cached_bytes() == 1024 + 5120 + 6144 + host_block_cache::cached_block_bytes);
    cache.release_cached();
    CHECK(cache.cached_bytes() == 0);
#endif
    void* empty = cache.allocate(0); // a valid, distinct pointer
    CHECK(empty != nullptr);
    cache.deallocate(empty, 0);
}
