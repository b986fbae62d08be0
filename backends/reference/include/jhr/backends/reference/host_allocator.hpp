// jhr/backends/reference/host_allocator.hpp: the allocator of host-memory buffers, a cache of
// freed blocks so that buffers released and re-created every training step (layers' input
// gradients) reuse memory instead of returning it to the system and faulting it back in.
//
// - Blocks of at least cached_block_bytes are kept on release and handed to the next request
//   that fits (the smallest cached block of 1x to 2x the requested size); a request none fits
//   frees smaller cached blocks (largest first, up to its size) before allocating. Smaller blocks
//   are plain aligned_alloc/free. Every block is 64-byte aligned (an AVX-512 vector). Under
//   AddressSanitizer nothing is cached.
// - Thread-safe. Cached blocks stay owned by the process until release_cached().
#pragma once

#include <cstddef>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <unordered_map>

namespace jhr::backends {

class host_block_cache {
public:
    static constexpr std::size_t alignment = 64;
    static constexpr std::size_t cached_block_bytes = std::size_t(1) << 20;

    static host_block_cache& instance() {
        static host_block_cache* cache = new host_block_cache; // outlives static buffers
        return *cache;
    }

    void* allocate(std::size_t bytes) {
        bytes = rounded(bytes);
        if (cacheable(bytes)) {
            std::lock_guard lock(mutex_);
            if (auto it = free_.lower_bound(bytes); it != free_.end() && it->first <= 2 * bytes) {
                void* p = it->second;
                live_.emplace(p, it->first);
                free_.erase(it);
                return p;
            }
            evict_below(bytes);
        }
        void* p = std::aligned_alloc(alignment, bytes);
        if (!p) throw std::bad_alloc();
        if (cacheable(bytes)) {
            std::lock_guard lock(mutex_);
            live_.emplace(p, bytes);
            ++from_system_;
        }
        return p;
    }
    void deallocate(void* p, std::size_t bytes) {
        if (!p) return;
        if (cacheable(rounded(bytes))) {
            std::lock_guard lock(mutex_);
            const auto it = live_.find(p);
            free_.emplace(it->second, p);
            live_.erase(it);
            return;
        }
        std::free(p);
    }
    // Returns every cached block to the system.
    void release_cached() {
        std::lock_guard lock(mutex_);
        for (const auto& [bytes, p] : free_) std::free(p);
        free_.clear();
    }
    // How many cacheable blocks have come from the system (not from the cache) so far.
    std::size_t blocks_from_system() const {
        std::lock_guard lock(mutex_);
        return from_system_;
    }
    std::size_t cached_bytes() const {
        std::lock_guard lock(mutex_);
        std::size_t total = 0;
        for (const auto& [bytes, p] : free_) total += bytes;
        return total;
    }

private:
    // Under AddressSanitizer every block goes back to the system, so that a use after release is caught.
#if defined(__SANITIZE_ADDRESS__)
    static constexpr bool caching = false;
#else
    static constexpr bool caching = true;
#endif
    // A miss: frees cached blocks smaller than the request, largest first, up to its size, so that
    // growing requests replace the cache's small blocks instead of adding to them.
    void evict_below(std::size_t bytes) {
        auto it = free_.lower_bound(bytes);
        for (std::size_t freed = 0; freed < bytes && it != free_.begin();) {
            --it;
            freed += it->first;
            std::free(it->second);
            it = free_.erase(it);
        }
    }
    static bool cacheable(std::size_t rounded_bytes) {
        return caching && rounded_bytes >= cached_block_bytes;
    }
    static std::size_t rounded(std::size_t bytes) {
        return bytes == 0 ? alignment : (bytes + alignment - 1) / alignment * alignment;
    }

    mutable std::mutex mutex_;
    std::multimap<std::size_t, void*> free_;      // cached blocks by size
    std::unordered_map<void*, std::size_t> live_; // handed-out cacheable blocks and their real size
    std::size_t from_system_ = 0;
};

// A standard allocator over host_block_cache.
template <class T>
struct caching_host_allocator {
    using value_type = T;
    caching_host_allocator() = default;
    template <class U>
    caching_host_allocator(const caching_host_allocator<U>&) {}
    T* allocate(std::size_t n) {
        return static_cast<T*>(host_block_cache::instance().allocate(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) { host_block_cache::instance().deallocate(p, n * sizeof(T)); }
    template <class U>
    bool operator==(const caching_host_allocator<U>&) const {
        return true;
    }
};

} // namespace jhr::backends
