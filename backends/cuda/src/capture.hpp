// The calling thread's CUDA graph capture (private header): where the backend's work goes and what
// the graph being captured must keep (jhr/backends/cuda/graph.hpp).
//
// Outside a capture, work goes to the legacy default stream. While a thread captures, its kernels,
// copies and library calls go to the capture's stream, where CUDA records them; the caching
// allocator serves the thread from the graph's own pool (memory.cpp), and uploads stage their data in
// page-locked memory the graph keeps.
#pragma once

#include "runtime.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace jhr::backends::cuda_detail {

struct capture_state {
    cudaStream_t stream = nullptr;
    std::uint64_t pool = 0;                  // the allocator's pool of the graph
    std::vector<std::shared_ptr<void>> kept; // what the recorded work reads outside the pool
};

// The calling thread's capture; null when it captures nothing.
capture_state* capture() noexcept;

// The stream the calling thread's work goes to.
inline cudaStream_t stream() noexcept {
    const capture_state* c = capture();
    return c ? c->stream : nullptr;
}

// Keeps `resource` alive as long as the graph this thread captures (nothing outside a capture; once
// per capture).
inline void keep_for_graph(std::shared_ptr<void> resource) {
    if (capture_state* c = capture();
        c && std::find(c->kept.begin(), c->kept.end(), resource) == c->kept.end())
        c->kept.push_back(std::move(resource));
}

// call() with the thread's capture interaction relaxed: for the allocations a capture needs
// (cudaMalloc, cudaMallocHost), which CUDA otherwise refuses while the thread captures.
template <class Call>
cudaError_t relaxed(Call call) {
    cudaStreamCaptureMode mode = cudaStreamCaptureModeRelaxed;
    cudaThreadExchangeStreamCaptureMode(&mode);
    const cudaError_t status = call();
    cudaThreadExchangeStreamCaptureMode(&mode);
    return status;
}

// The caching allocator's pools (memory.cpp). A pool holds the blocks a graph's capture allocated or
// freed; they go to no one else while it is open. Closing it returns its free blocks to the shared
// cache, and its blocks in use return there when freed.
std::uint64_t open_pool();
void close_pool(std::uint64_t pool) noexcept;

// Points this thread's cuDNN and cuBLAS handles at `stream`, creating them first (context.cpp; the
// host execution has no handles).
void set_library_stream(cudaStream_t stream);

} // namespace jhr::backends::cuda_detail
