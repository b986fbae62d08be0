// The caching allocator and the transfers of jhr/backends/cuda/memory.hpp.
#include "jhr/backends/cuda/memory.hpp"

#include "capture.hpp"
#include "check.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace jhr::backends {
namespace {

// Multiples of 512 bytes below 1 MiB; above, the next of 1, 1.25, 1.5, 1.75 times a power of two.
std::size_t bucket_size(std::size_t bytes) {
    constexpr std::size_t small_step = 512, large = std::size_t(1) << 20;
    if (bytes < large) return (bytes + small_step - 1) / small_step * small_step;
    std::size_t power = large;
    while (power * 2 <= bytes) power *= 2;
    const std::size_t step = power / 4;
    return (bytes + step - 1) / step * step;
}

// Free lists by bucket size: the shared cache's, and each open pool's (capture.hpp).
using free_lists = std::map<std::size_t, std::vector<void*>>;

class caching_allocator {
public:
    // While the calling thread captures a graph, blocks come from the graph's pool first, then from
    // the shared cache (they join the pool), then from cudaMalloc.
    void* allocate(std::size_t bytes) {
        if (bytes == 0) return nullptr;
        if (bytes > max_request) // e.g. a size computed from a negative dimension
            throw backend_error(where("cuda: cannot allocate " + std::to_string(bytes) + " bytes"));
        const std::size_t size = bucket_size(bytes);
        const cuda_detail::capture_state* capture = cuda_detail::capture();
        const std::uint64_t pool = capture ? capture->pool : 0;
        std::lock_guard lock(mutex_);
        if (pool)
            if (void* block = take(pools_.at(pool), size, pool)) return block;
        if (void* block = take(free_, size, pool)) return block;
        void* block = nullptr;
        cudaError_t status = cuda_detail::relaxed([&] { return cudaMalloc(&block, size); });
        if (status == cudaErrorMemoryAllocation && !capture) { // cudaFree would end a capture
            cudaGetLastError();
            release_cached_locked();
            status = cudaMalloc(&block, size);
        }
        cuda_detail::check(status, ("cudaMalloc of " + std::to_string(size) + " bytes").c_str(), __FILE__,
                           __LINE__);
        live_.emplace(block, held{size, pool});
        ++stats_.allocations;
        add_in_use(size);
        return block;
    }

    // A block freed while its thread captures joins that graph's pool (the recorded work may use it);
    // otherwise it returns to its own pool while that is open, else to the shared cache.
    void deallocate(void* block) noexcept {
        if (!block) return;
        const cuda_detail::capture_state* capture = cuda_detail::capture();
        std::lock_guard lock(mutex_);
        const auto live = live_.find(block);
        if (live == live_.end()) return;
        const auto [size, owner] = live->second;
        live_.erase(live);
        const std::uint64_t pool = capture ? capture->pool : owner;
        const auto open = pools_.find(pool);
        try {
            (open == pools_.end() ? free_ : open->second)[size].push_back(block);
            stats_.bytes_cached += size;
        } catch (...) {
            cudaFree(block); // no room to remember the block: give it back instead
        }
        stats_.bytes_in_use -= size;
    }

    std::uint64_t open_pool() {
        std::lock_guard lock(mutex_);
        pools_.emplace(++last_pool_, free_lists{});
        return last_pool_;
    }
    void close_pool(std::uint64_t pool) noexcept {
        std::lock_guard lock(mutex_);
        const auto open = pools_.find(pool);
        if (open == pools_.end()) return;
        for (auto& [size, blocks] : open->second)
            for (void* block : blocks) try {
                    free_[size].push_back(block);
                } catch (...) {
                    stats_.bytes_cached -= size;
                    cudaFree(block);
                }
        pools_.erase(open);
    }

    cuda_allocator_statistics statistics() {
        std::lock_guard lock(mutex_);
        return stats_;
    }
    void reset_statistics() {
        std::lock_guard lock(mutex_);
        stats_.allocations = stats_.reuses = 0;
        stats_.peak_bytes_in_use = stats_.bytes_in_use;
    }
    void release_cached() {
        std::lock_guard lock(mutex_);
        release_cached_locked();
    }

private:
    struct held {
        std::size_t size;
        std::uint64_t pool; // 0: the shared cache
    };

    // A block of `size` from `lists`, now held for `pool`; null when there is none.
    void* take(free_lists& lists, std::size_t size, std::uint64_t pool) {
        const auto free = lists.find(size);
        if (free == lists.end() || free->second.empty()) return nullptr;
        void* block = free->second.back();
        live_.emplace(block, held{size, pool});
        free->second.pop_back();
        ++stats_.reuses;
        stats_.bytes_cached -= size;
        add_in_use(size);
        return block;
    }

    void add_in_use(std::size_t size) {
        stats_.bytes_in_use += size;
        stats_.peak_bytes_in_use = std::max(stats_.peak_bytes_in_use, stats_.bytes_in_use);
    }

    // Forgets every block of the shared cache before freeing them, so a failing cudaFree cannot leave
    // a freed block in a free list; the first failure is reported after all were tried. The pools'
    // blocks stay: open graphs use them.
    void release_cached_locked() {
        const auto lists = std::exchange(free_, {});
        cudaError_t first = cudaSuccess;
        for (const auto& [size, blocks] : lists)
            for (void* block : blocks) {
                stats_.bytes_cached -= size;
                if (const cudaError_t status = cudaFree(block); status != cudaSuccess && first == cudaSuccess)
                    first = status;
            }
        cuda_detail::check(first, "cudaFree of a cached block", __FILE__, __LINE__);
    }

    static constexpr std::size_t max_request = std::size_t(1) << 62;

    std::mutex mutex_;
    free_lists free_;
    std::map<std::uint64_t, free_lists> pools_;
    std::uint64_t last_pool_ = 0;
    std::unordered_map<void*, held> live_;
    cuda_allocator_statistics stats_;
};

// Never destroyed: buffers in static objects may be released after main returns, and the driver
// reclaims device memory at process exit.
caching_allocator& allocator() {
    static auto* instance = new caching_allocator;
    return *instance;
}

// Uploads go through staging buffers of the calling thread, each a page-locked host block and a
// device block: the host data is copied into the first, the transfer into the second runs on the
// thread's copy stream (non-blocking: it does not wait for the default stream's queued kernels, so it
// overlaps them), and a device-to-device copy on the default stream, after the transfer (an event
// waited for), writes the destination in stream order. So an upload neither waits for the GPU's
// queued work (a cudaMemcpy from pageable memory first waits for the stream to drain) nor for its
// own transfer, which runs at page-locked speed while the kernels before it run, and the kernels
// after it see the data. An upload takes a buffer whose last copy out has run (its event), the
// smallest that fits, else the largest, grown; else a new one while there are fewer than
// max_buffers; else it waits for the least recently used. A training step's few uploads so find the
// buffers of the step before idle. Uploads above staging_limit bytes are plain cudaMemcpy.
class upload_staging {
public:
    static constexpr std::size_t staging_limit = std::size_t(256) << 20, max_buffers = 8;

    upload_staging() = default;
    upload_staging(const upload_staging&) = delete;
    upload_staging& operator=(const upload_staging&) = delete;
    // At thread or process exit, possibly after the driver has shut down: statuses are ignored.
    ~upload_staging() {
        for (buffer& b : buffers_) {
            cudaEventDestroy(b.arrived);
            cudaEventDestroy(b.done);
            cudaFreeHost(b.host);
            cuda_memory::deallocate(b.device);
        }
        if (copy_stream_) cudaStreamDestroy(copy_stream_);
    }

    void copy(void* device, const void* host, std::size_t bytes) {
        buffer& b = take(bytes);
        std::memcpy(b.host, host, bytes);
        JHR_CUDA_CHECK(cudaMemcpyAsync(b.device, b.host, bytes, cudaMemcpyHostToDevice, copy_stream()));
        JHR_CUDA_CHECK(cudaEventRecord(b.arrived, copy_stream()));
        JHR_CUDA_CHECK(cudaStreamWaitEvent(nullptr, b.arrived, 0));
        JHR_CUDA_CHECK(cudaMemcpyAsync(device, b.device, bytes, cudaMemcpyDeviceToDevice, nullptr));
        JHR_CUDA_CHECK(cudaEventRecord(b.done, nullptr));
        b.last_use = ++uses_;
    }

private:
    struct buffer {
        void* host = nullptr;   // page-locked
        void* device = nullptr; // from the caching allocator
        std::size_t bytes = 0;
        cudaEvent_t arrived = nullptr; // recorded on the copy stream after the transfer into device
        cudaEvent_t done = nullptr;    // recorded on the default stream after the copy out of device
        std::uint64_t last_use = 0;
    };

    cudaStream_t copy_stream() {
        if (!copy_stream_) JHR_CUDA_CHECK(cudaStreamCreateWithFlags(&copy_stream_, cudaStreamNonBlocking));
        return copy_stream_;
    }

    // Whether b's last copy has run. cudaEventQuery's cudaErrorNotReady is recorded as the last
    // error, which is cleared so that the next launch check does not report it.
    static bool idle(const buffer& b) {
        const cudaError_t status = cudaEventQuery(b.done);
        if (status == cudaErrorNotReady) {
            cudaGetLastError();
            return false;
        }
        JHR_CUDA_CHECK(status);
        return true;
    }

    buffer& take(std::size_t bytes) {
        buffer* chosen = nullptr;
        for (buffer& b : buffers_) {
            if (!idle(b)) continue;
            const bool fits = b.bytes >= bytes, chosen_fits = chosen && chosen->bytes >= bytes;
            if (!chosen || (fits && (!chosen_fits || b.bytes < chosen->bytes)) ||
                (!fits && !chosen_fits && b.bytes > chosen->bytes))
                chosen = &b;
        }
        if (!chosen && buffers_.size() < max_buffers) {
            buffer fresh;
            JHR_CUDA_CHECK(cudaEventCreateWithFlags(&fresh.done, cudaEventDisableTiming));
            if (const cudaError_t status = cudaEventCreateWithFlags(&fresh.arrived, cudaEventDisableTiming)) {
                cudaEventDestroy(fresh.done);
                JHR_CUDA_CHECK(status);
            }
            chosen = &buffers_.emplace_back(fresh);
        }
        if (!chosen) {
            chosen =
                &*std::min_element(buffers_.begin(), buffers_.end(),
                                   [](const buffer& a, const buffer& b) { return a.last_use < b.last_use; });
            JHR_CUDA_CHECK(cudaEventSynchronize(chosen->done));
        }
        if (chosen->bytes < bytes) {
            JHR_CUDA_CHECK(cudaFreeHost(std::exchange(chosen->host, nullptr)));
            cuda_memory::deallocate(std::exchange(chosen->device, nullptr));
            chosen->bytes = 0;
            JHR_CUDA_CHECK(cudaMallocHost(&chosen->host, bytes));
            chosen->device = cuda_memory::allocate(bytes);
            chosen->bytes = bytes;
        }
        return *chosen;
    }

    std::vector<buffer> buffers_; // at most max_buffers
    std::uint64_t uses_ = 0;
    cudaStream_t copy_stream_ = nullptr;
};

} // namespace

void* cuda_memory::allocate(std::size_t bytes) {
    return allocator().allocate(bytes);
}
void cuda_memory::deallocate(void* block) noexcept {
    allocator().deallocate(block);
}
cuda_allocator_statistics cuda_memory::allocator_statistics() {
    return allocator().statistics();
}
void cuda_memory::reset_allocator_statistics() {
    allocator().reset_statistics();
}
void cuda_memory::release_cached_memory() {
    allocator().release_cached();
}

std::uint64_t cuda_detail::open_pool() {
    return allocator().open_pool();
}
void cuda_detail::close_pool(std::uint64_t pool) noexcept {
    allocator().close_pool(pool);
}

// During a capture the data goes to page-locked memory of its own, which the graph keeps: each replay
// copies it again.
void cuda_memory::copy_to_device(void* device, const void* host, std::size_t bytes) {
    if (bytes == 0) return;
    if (cuda_detail::capture_state* capture = cuda_detail::capture()) {
        void* staged = nullptr;
        JHR_CUDA_CHECK(cuda_detail::relaxed([&] { return cudaMallocHost(&staged, bytes); }));
        std::shared_ptr<void> kept(staged, [](void* p) { cudaFreeHost(p); });
        std::memcpy(staged, host, bytes);
        JHR_CUDA_CHECK(cudaMemcpyAsync(device, staged, bytes, cudaMemcpyHostToDevice, capture->stream));
        capture->kept.push_back(std::move(kept));
        return;
    }
    if (bytes > upload_staging::staging_limit) {
        JHR_CUDA_CHECK(cudaMemcpy(device, host, bytes, cudaMemcpyHostToDevice));
        return;
    }
    thread_local upload_staging staging;
    staging.copy(device, host, bytes);
}
void cuda_memory::copy_to_host(void* host, const void* device, std::size_t bytes) {
    if (bytes == 0) return;
    if (cuda_detail::capture())
        throw backend_error(
            where("cuda: a download (" + std::to_string(bytes) +
                  " bytes) while capturing a CUDA graph: captured work cannot wait for the device"));
    JHR_CUDA_CHECK(cudaMemcpy(host, device, bytes, cudaMemcpyDeviceToHost));
}
void cuda_memory::copy_on_device(void* dst, const void* src, std::size_t bytes) {
    if (bytes == 0 || dst == src) return;
    JHR_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, cuda_detail::stream()));
}

} // namespace jhr::backends
