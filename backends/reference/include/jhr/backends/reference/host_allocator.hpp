// jhr/backends/reference/host_allocator.hpp: the allocator of host-memory buffers, a cache of
// freed blocks so that buffers released and re-created every training step (layers' input
// gradients) reuse memory instead of returning it to the system and faulting it back in.
//
// - Large blocks (at least cached_block_bytes) keep their size: a request takes the smallest cached
//   block of 1x to 2x its size; a request none fits frees smaller cached large blocks (largest
//   first, up to its size) before allocating.
// - Small blocks are rounded up to a size class (64-byte steps up to 4 KiB, then four classes per
//   power of two, at most 25% slack) and kept on that class's free list for the next request.
// - Once warm, the cache allocates nothing itself: free small blocks are linked through their own
//   memory, a large block carries its size in a 64-byte header, and the list of cached large
//   blocks only grows. Every block is 64-byte aligned (an AVX-512 vector). Under AddressSanitizer
//   nothing is cached.
// - Thread-safe. Cached blocks stay owned by the process until release_cached().
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdlib>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

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
        if (!caching) return system_allocate(bytes);
        std::lock_guard lock(mutex_);
        return bytes < cached_block_bytes ? allocate_small(class_bytes(bytes)) : allocate_large(bytes);
    }
    void deallocate(void* p, std::size_t bytes) {
        if (!p) return;
        if (!caching) return std::free(p);
        bytes = rounded(bytes);
        std::lock_guard lock(mutex_);
        if (bytes < cached_block_bytes) {
            const std::size_t size = class_bytes(bytes);
            auto* block = static_cast<free_block*>(p);
            block->next = std::exchange(small_[class_index(size)], block);
            small_cached_ += size;
            return;
        }
        const std::size_t size = header(p);
        large_.insert(std::upper_bound(large_.begin(), large_.end(), std::pair(size, p), by_size), {size, p});
    }
    // Returns every cached block to the system.
    void release_cached() {
        std::lock_guard lock(mutex_);
        for (const auto& [bytes, p] : large_) std::free(base(p));
        large_.clear();
        for (free_block*& head : small_)
            while (head) std::free(std::exchange(head, head->next));
        small_cached_ = 0;
    }
    // How many blocks have come from the system (not from the cache) so far; 0 without caching.
    std::size_t blocks_from_system() const {
        std::lock_guard lock(mutex_);
        return from_system_;
    }
    // Usable bytes of the cached blocks (a small block counts its class size).
    std::size_t cached_bytes() const {
        std::lock_guard lock(mutex_);
        std::size_t total = small_cached_;
        for (const auto& [bytes, p] : large_) total += bytes;
        return total;
    }

private:
    // Under AddressSanitizer every block goes back to the system, so that a use after release is caught.
#if defined(__SANITIZE_ADDRESS__)
    static constexpr bool caching = false;
#else
    static constexpr bool caching = true;
#endif
    struct free_block {
        free_block* next;
    };
    static constexpr std::size_t linear_limit = 4096; // 64-byte classes up to here
    static constexpr std::size_t class_count = linear_limit / alignment + 4 * 8 + 1;

    void* allocate_small(std::size_t size) {
        free_block*& head = small_[class_index(size)];
        if (head) {
            small_cached_ -= size;
            return std::exchange(head, head->next);
        }
        ++from_system_;
        return system_allocate(size);
    }
    void* allocate_large(std::size_t bytes) {
        const auto fit = std::lower_bound(large_.begin(), large_.end(),
                                          std::pair<std::size_t, void*>(bytes, nullptr), by_size);
        if (fit != large_.end() && fit->first <= 2 * bytes) {
            void* p = fit->second;
            large_.erase(fit);
            return p;
        }
        evict_below(std::size_t(fit - large_.begin()), bytes);
        ++from_system_;
        void* p = static_cast<std::byte*>(system_allocate(bytes + alignment)) + alignment;
        header(p) = bytes;
        return p;
    }
    // A miss: frees the cached large blocks below position `end` (smaller than the request),
    // largest first, up to its size, so that growing requests replace small blocks instead of
    // adding to them.
    void evict_below(std::size_t end, std::size_t bytes) {
        std::size_t first = end;
        for (std::size_t freed = 0; freed < bytes && first > 0;) {
            --first;
            freed += large_[first].first;
            std::free(base(large_[first].second));
        }
        large_.erase(large_.begin() + std::ptrdiff_t(first), large_.begin() + std::ptrdiff_t(end));
    }

    static void* system_allocate(std::size_t bytes) {
        void* p = std::aligned_alloc(alignment, bytes);
        if (!p) throw std::bad_alloc();
        return p;
    }
    static std::size_t& header(void* p) {
        return *reinterpret_cast<std::size_t*>(base(p));
    }
    static void* base(void* p) {
        return static_cast<std::byte*>(p) - alignment;
    }
    static bool by_size(const std::pair<std::size_t, void*>& a, const std::pair<std::size_t, void*>& b) {
        return a.first < b.first;
    }
    static std::size_t rounded(std::size_t bytes) {
        return bytes == 0 ? alignment : (bytes + alignment - 1) / alignment * alignment;
    }
    // The class of a rounded small request: itself up to 4 KiB, else the next multiple of a
    // quarter of its power of two (at most cached_block_bytes).
    static std::size_t class_bytes(std::size_t bytes) {
        if (bytes <= linear_limit) return bytes;
        const std::size_t step = std::bit_floor(bytes) / 4;
        return (bytes + step - 1) / step * step;
    }
    static std::size_t class_index(std::size_t size) {
        if (size <= linear_limit) return size / alignment - 1;
        const std::size_t power = std::bit_floor(size);
        return linear_limit / alignment + 4 * std::size_t(std::countr_zero(power / linear_limit)) +
               (size - power) / (power / 4);
    }

    mutable std::mutex mutex_;
    std::vector<std::pair<std::size_t, void*>> large_; // cached large blocks, by size
    std::array<free_block*, class_count> small_{};     // free lists of the small classes
    std::size_t small_cached_ = 0;
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
