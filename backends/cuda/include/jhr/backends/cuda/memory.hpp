// jhr/backends/cuda/memory.hpp: device memory for the CUDA backend.
//
// cuda_buffer<T> owns an array of T in the current device's global memory, taken from a caching
// allocator: freed blocks go to free lists keyed by a size bucket (multiples of 512 bytes below
// 1 MiB, quarter powers of two above, so at most 25% slack) and are handed out again to any request
// of the same bucket, so a training loop that repeats its shapes calls cudaMalloc only in its first
// step. When cudaMalloc runs out of memory, every cached block is freed and the call retried once.
// The allocator is process-wide, thread-safe, and serves one device (the current one at first use).
//
// upload / download / copy run on the legacy default stream, the stream every primitive of this
// backend runs on (or, while the thread captures a graph, the capture's: cuda/graph.hpp), in order
// with the kernels around them. upload returns once the data is staged in
// page-locked memory (the host span may be reused at once), without waiting for the GPU: the
// transfer to the device runs on a copy stream of the thread, overlapping the kernels queued before
// it, and a device-to-device copy writes the destination in stream order, after those kernels and
// before any later work (up to 8 staging buffers per thread, reused once their copy has run;
// uploads above 256 MiB wait). download returns when the data has arrived. All failures throw
// jhr::backend_error naming the CUDA call, its file and line, and the CUDA error string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace jhr::backends {

// Counters of the caching allocator since the process started (or the last reset_statistics).
struct cuda_allocator_statistics {
    std::size_t allocations = 0;       // requests served by cudaMalloc
    std::size_t reuses = 0;            // requests served from a free list
    std::size_t bytes_in_use = 0;      // bucket bytes held by live buffers
    std::size_t bytes_cached = 0;      // bucket bytes waiting in free lists
    std::size_t peak_bytes_in_use = 0; // the most bytes_in_use held at once since start or reset
};

struct cuda_memory {
    // Device memory of at least `bytes` bytes; nullptr for 0 bytes.
    static void* allocate(std::size_t bytes);
    // Returns a block from allocate() to its free list; nullptr is ignored. Never throws.
    static void deallocate(void* block) noexcept;
    static cuda_allocator_statistics allocator_statistics();
    // Zeroes allocations and reuses and restarts the peak from the bytes in use now (the byte counts
    // stay: they describe the present).
    static void reset_allocator_statistics();
    // Frees every cached block with cudaFree (live buffers are untouched).
    static void release_cached_memory();

    static void copy_to_device(void* device, const void* host, std::size_t bytes);
    static void copy_to_host(void* host, const void* device, std::size_t bytes);
    static void copy_on_device(void* dst, const void* src, std::size_t bytes);
};

template <class T>
class cuda_buffer {
public:
    cuda_buffer() = default;
    explicit cuda_buffer(std::size_t size)
        : data_(static_cast<T*>(cuda_memory::allocate(size * sizeof(T)))), size_(size) {}
    cuda_buffer(const cuda_buffer& other) : cuda_buffer(other.size_) {
        cuda_memory::copy_on_device(data_, other.data_, size_ * sizeof(T));
    }
    cuda_buffer(cuda_buffer&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
    cuda_buffer& operator=(cuda_buffer other) noexcept {
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
        return *this;
    }
    ~cuda_buffer() { cuda_memory::deallocate(data_); }

    T* data() { return data_; }
    const T* data() const { return data_; }
    std::size_t size() const { return size_; }

private:
    T* data_ = nullptr;
    std::size_t size_ = 0;
};

// The Backend concept's memory functions over cuda_buffer.
struct cuda_transfers {
    template <class T>
    using buffer = cuda_buffer<T>;

    template <class T>
    static void upload(std::span<const T> host, T* device) {
        cuda_memory::copy_to_device(device, host.data(), host.size_bytes());
    }
    template <class T>
    static void download(const T* device, std::span<T> host) {
        cuda_memory::copy_to_host(host.data(), device, host.size_bytes());
    }
    static void copy(std::size_t n, const float* src, float* dst) {
        cuda_memory::copy_on_device(dst, src, n * sizeof(float));
    }
};

} // namespace jhr::backends
