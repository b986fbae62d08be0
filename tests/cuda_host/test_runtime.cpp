// backends/cuda/host/runtime.hpp: the host execution runs every thread of a launch once with its
// coordinates, orders shared-memory phases at __syncthreads, reports divergent barriers and invalid
// launch configurations, refuses copies outside live device allocations, carries out
// asynchronous copies in stream order, and records a captured stream's work into graphs.
#include "host/runtime.hpp"

#include "jhr/core/error.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace {

// Records, for each (block, thread), how often it ran.
__global__ void count_threads(unsigned* runs) {
    const unsigned block = (blockIdx.z * gridDim.y + blockIdx.y) * gridDim.x + blockIdx.x;
    const unsigned thread = (threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x;
    ++runs[block * blockDim.x * blockDim.y * blockDim.z + thread];
}

// Each block reverses its 256 values through shared memory: every read needs another thread's write.
__global__ void reverse_blocks(const int* in, int* out) {
    __shared__ int values[256];
    const unsigned base = blockIdx.x * blockDim.x;
    values[threadIdx.x] = in[base + threadIdx.x];
    __syncthreads();
    const int mine = values[blockDim.x - 1 - threadIdx.x];
    __syncthreads(); // the next block reuses values
    out[base + threadIdx.x] = mine;
}

// Threads at or above `leaving` return before the block's barrier.
__global__ void leave_early(unsigned leaving) {
    if (threadIdx.x >= leaving) return;
    __syncthreads();
}

std::string message_of_launch(unsigned leaving) {
    try {
        jhr::backends::cuda_host::launch(2, 8, [&] { leave_early(leaving); });
    } catch (const jhr::backend_error& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("host execution runs every thread of a 3-d grid of 2-d blocks exactly once") {
    const dim3 grid(3, 2, 2), block(8, 4);
    std::vector<unsigned> runs(3 * 2 * 2 * 8 * 4, 0);
    jhr::backends::cuda_host::launch(grid, block, [&] { count_threads(runs.data()); });
    CHECK(cudaGetLastError() == cudaSuccess);
    CHECK(runs == std::vector<unsigned>(runs.size(), 1u));
}

TEST_CASE("host execution orders shared-memory phases at __syncthreads") {
    std::vector<int> in(3 * 256), out(in.size(), -1), expected(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) in[i] = int(i);
    for (std::size_t i = 0; i < in.size(); ++i) expected[i] = int(i / 256 * 256 + 255 - i % 256);
    jhr::backends::cuda_host::launch(3, 256, [&] { reverse_blocks(in.data(), out.data()); });
    CHECK(out == expected);
}

TEST_CASE("host execution reports a barrier that not every thread of a block reaches") {
    CHECK(message_of_launch(8).empty()); // all reach it
    CHECK(message_of_launch(0).empty()); // none does
    // Threads 0 to 4 wait at the barrier, threads 5 to 7 return: found after the first phase, or
    // (threads in reverse order) when thread 4 arrives after thread 7 returned without it.
    const std::string later = message_of_launch(5);
    CHECK(later.find("divergent __syncthreads in block (") != std::string::npos);
    CHECK((later.find("thread (0, 0, 0) waits at a barrier that thread (5, 0, 0) finished") !=
               std::string::npos ||
           later.find("thread (4, 0, 0) waits at a barrier that thread (7, 0, 0) finished") !=
               std::string::npos));
    // Only thread 0 returns without it: the message names it, in either order of execution.
    std::string direct;
    try {
        jhr::backends::cuda_host::launch(1, 4, [&] {
            if (threadIdx.x != 0) __syncthreads();
        });
    } catch (const jhr::backend_error& e) {
        direct = e.what();
    }
    CHECK(direct.find("thread (1, 0, 0) waits at a barrier that thread (0, 0, 0) finished") !=
          std::string::npos);
}

TEST_CASE("a race between blocks or threads ends differently in reverse order (JHR_CUDA_HOST_ORDER)") {
    const char* order = std::getenv("JHR_CUDA_HOST_ORDER");
    const bool reversed = order && std::string(order) == "reverse";
    unsigned last_block = 99, last_thread = 99;
    jhr::backends::cuda_host::launch(3, 4, [&] { // every thread writes the same two words
        last_block = blockIdx.x;
        last_thread = threadIdx.x;
    });
    CHECK(last_block == (reversed ? 0u : 2u));
    CHECK(last_thread == (reversed ? 0u : 3u));
}

TEST_CASE("host execution refuses launch configurations a GPU refuses, and runs nothing") {
    std::vector<unsigned> runs(1, 0);
    for (const auto& [grid, block] : {std::pair<dim3, dim3>{dim3(0), dim3(32)},
                                      {dim3(1), dim3(1025)},
                                      {dim3(1), dim3(0)},
                                      {dim3(1, 65536), dim3(1)},
                                      {dim3(1), dim3(1, 1, 65)}}) {
        CAPTURE(grid.x);
        CAPTURE(grid.y);
        CAPTURE(block.x);
        CAPTURE(block.z);
        jhr::backends::cuda_host::launch(grid, block, [&] { ++runs[0]; });
        CHECK(cudaGetLastError() == cudaErrorInvalidConfiguration);
        CHECK(cudaGetLastError() == cudaSuccess); // read once, then cleared
    }
    CHECK(runs[0] == 0);
}

TEST_CASE("host execution refuses copies and fills outside live device allocations") {
    void* block = nullptr;
    REQUIRE(cudaMalloc(&block, 64) == cudaSuccess);
    auto* bytes = static_cast<unsigned char*>(block);
    std::vector<unsigned char> host(65, 7);
    CHECK(cudaMemcpy(block, host.data(), 64, cudaMemcpyHostToDevice) == cudaSuccess);
    CHECK(cudaMemcpy(bytes + 1, host.data(), 64, cudaMemcpyHostToDevice) == cudaErrorInvalidValue); // 1 past
    CHECK(cudaMemcpy(host.data(), host.data() + 1, 8, cudaMemcpyHostToDevice) == cudaErrorInvalidValue);
    CHECK(cudaMemcpy(host.data(), bytes + 60, 4, cudaMemcpyDeviceToHost) == cudaSuccess);
    CHECK(cudaMemset(bytes + 32, 0, 33) == cudaErrorInvalidValue);
    CHECK(cudaMemset(bytes + 32, 0, 32) == cudaSuccess);
    CHECK(cudaGetLastError() == cudaErrorInvalidValue); // the last error, as CUDA keeps it
    CHECK(cudaGetLastError() == cudaSuccess);
    CHECK(cudaFree(host.data()) == cudaErrorInvalidValue);
    CHECK(cudaFree(block) == cudaSuccess);
    CHECK(cudaMemcpy(host.data(), block, 4, cudaMemcpyDeviceToHost) == cudaErrorInvalidValue); // freed
    cudaGetLastError();
}

TEST_CASE("host execution carries out an asynchronous copy when the stream reaches it") {
    int* device = nullptr;
    REQUIRE(cudaMalloc(reinterpret_cast<void**>(&device), 4 * sizeof(int)) == cudaSuccess);
    void* pinned = nullptr;
    REQUIRE(cudaMallocHost(&pinned, 4 * sizeof(int)) == cudaSuccess);
    int* staged = static_cast<int*>(pinned);
    cudaEvent_t first = nullptr, second = nullptr;
    REQUIRE(cudaEventCreateWithFlags(&first, cudaEventDisableTiming) == cudaSuccess);
    REQUIRE(cudaEventCreateWithFlags(&second, cudaEventDisableTiming) == cudaSuccess);
    std::vector<int> host(4, 0);

    // Two queued copies, an event after each: synchronizing the first runs the first copy only.
    staged[0] = 1;
    REQUIRE(cudaMemcpyAsync(device, staged, sizeof(int), cudaMemcpyHostToDevice, nullptr) == cudaSuccess);
    REQUIRE(cudaEventRecord(first, nullptr) == cudaSuccess);
    staged[1] = 2;
    REQUIRE(cudaMemcpyAsync(device + 1, staged + 1, sizeof(int), cudaMemcpyHostToDevice, nullptr) ==
            cudaSuccess);
    REQUIRE(cudaEventRecord(second, nullptr) == cudaSuccess);
    CHECK(device[0] != 1); // not yet: the stream has not reached the copy
    CHECK(cudaEventQuery(first) == cudaErrorNotReady);
    CHECK(cudaGetLastError() == cudaErrorNotReady); // recorded, as on a GPU
    REQUIRE(cudaEventSynchronize(first) == cudaSuccess);
    CHECK(device[0] == 1);
    CHECK(cudaEventQuery(first) == cudaSuccess);
    CHECK(cudaEventQuery(second) == cudaErrorNotReady);
    cudaGetLastError();
    staged[1] = 3; // before the stream reached the second copy: the copy reads the new value
    REQUIRE(cudaEventSynchronize(second) == cudaSuccess);
    CHECK(device[1] == 3);

    // A synchronous copy, a launch and cudaDeviceSynchronize each run what was queued before them.
    staged[2] = 4;
    REQUIRE(cudaMemcpyAsync(device + 2, staged + 2, sizeof(int), cudaMemcpyHostToDevice, nullptr) ==
            cudaSuccess);
    REQUIRE(cudaMemcpy(host.data(), device, 4 * sizeof(int), cudaMemcpyDeviceToHost) == cudaSuccess);
    CHECK(host[2] == 4);
    staged[3] = 5;
    REQUIRE(cudaMemcpyAsync(device + 3, staged + 3, sizeof(int), cudaMemcpyHostToDevice, nullptr) ==
            cudaSuccess);
    int seen = 0;
    jhr::backends::cuda_host::launch(1, 1, [&] { seen = device[3]; });
    CHECK(seen == 5);
    staged[0] = 6;
    REQUIRE(cudaMemcpyAsync(device, staged, sizeof(int), cudaMemcpyHostToDevice, nullptr) == cudaSuccess);
    REQUIRE(cudaDeviceSynchronize() == cudaSuccess);
    CHECK(device[0] == 6);

    // Refused: a copy into no allocation, a foreign free.
    CHECK(cudaMemcpyAsync(host.data(), staged, 4, cudaMemcpyHostToDevice, nullptr) == cudaErrorInvalidValue);
    CHECK(cudaFreeHost(host.data()) == cudaErrorInvalidValue);
    cudaGetLastError();
    CHECK(cudaEventDestroy(first) == cudaSuccess);
    CHECK(cudaEventDestroy(second) == cudaSuccess);
    CHECK(cudaFreeHost(pinned) == cudaSuccess);
    CHECK(cudaFree(device) == cudaSuccess);
}

TEST_CASE("host execution records the work of a captured stream and runs it at each graph launch") {
    int* device = nullptr;
    REQUIRE(cudaMalloc(reinterpret_cast<void**>(&device), 4 * sizeof(int)) == cudaSuccess);
    void* pinned = nullptr;
    REQUIRE(cudaMallocHost(&pinned, sizeof(int)) == cudaSuccess);
    int* staged = static_cast<int*>(pinned);
    cudaStream_t stream = nullptr;
    REQUIRE(cudaStreamCreate(&stream) == cudaSuccess);
    std::vector<int> host(4, 0);
    REQUIRE(cudaMemset(device, 0, 4 * sizeof(int)) == cudaSuccess);

    *staged = 7;
    REQUIRE(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal) == cudaSuccess);
    jhr::backends::cuda_host::launch(stream, 1, 4, [device] { device[threadIdx.x] += 1; });
    REQUIRE(cudaMemcpyAsync(device + 3, staged, sizeof(int), cudaMemcpyHostToDevice, stream) == cudaSuccess);
    REQUIRE(cudaMemsetAsync(device, 0, sizeof(int), stream) == cudaSuccess);
    int ran = 0;
    jhr::backends::cuda_host::enqueue(stream, [&ran] { ++ran; });
    CHECK(device[1] == 0); // recorded, not run
    CHECK(ran == 0);
    // Refused while capturing: a synchronous copy, an allocation, default-stream work (not recorded).
    CHECK(cudaMemcpy(host.data(), device, 4 * sizeof(int), cudaMemcpyDeviceToHost) ==
          cudaErrorStreamCaptureUnsupported);
    cudaGraph_t graph = nullptr;
    CHECK(cudaStreamEndCapture(stream, &graph) == cudaErrorStreamCaptureInvalidated);
    CHECK(graph == nullptr);
    cudaGetLastError();

    REQUIRE(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal) == cudaSuccess);
    jhr::backends::cuda_host::launch(stream, 1, 4, [device] { device[threadIdx.x] += 1; });
    REQUIRE(cudaMemcpyAsync(device + 3, staged, sizeof(int), cudaMemcpyHostToDevice, stream) == cudaSuccess);
    REQUIRE(cudaMemsetAsync(device, 0, sizeof(int), stream) == cudaSuccess);
    jhr::backends::cuda_host::enqueue(stream, [&ran] { ++ran; });
    void* relaxed_block = nullptr;
    cudaStreamCaptureMode mode = cudaStreamCaptureModeRelaxed;
    REQUIRE(cudaThreadExchangeStreamCaptureMode(&mode) == cudaSuccess);
    CHECK(cudaMalloc(&relaxed_block, 16) == cudaSuccess); // allowed in relaxed mode
    REQUIRE(cudaThreadExchangeStreamCaptureMode(&mode) == cudaSuccess);
    CHECK(mode == cudaStreamCaptureModeRelaxed);
    REQUIRE(cudaStreamEndCapture(stream, &graph) == cudaSuccess);
    cudaGraphExec_t exec = nullptr;
    REQUIRE(cudaGraphInstantiate(&exec, graph, 0) == cudaSuccess);
    CHECK(device[1] == 0);

    REQUIRE(cudaGraphLaunch(exec, nullptr) == cudaSuccess);
    REQUIRE(cudaMemcpy(host.data(), device, 4 * sizeof(int), cudaMemcpyDeviceToHost) == cudaSuccess);
    CHECK(host == std::vector<int>{0, 1, 1, 7});
    *staged = 9; // read again at each launch
    REQUIRE(cudaGraphLaunch(exec, nullptr) == cudaSuccess);
    REQUIRE(cudaMemcpy(host.data(), device, 4 * sizeof(int), cudaMemcpyDeviceToHost) == cudaSuccess);
    CHECK(host == std::vector<int>{0, 2, 2, 9});
    CHECK(ran == 2);

    // Default-stream work while capturing is refused, and so is capturing the default stream.
    REQUIRE(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal) == cudaSuccess);
    jhr::backends::cuda_host::launch(nullptr, 1, 1, [device] { device[0] = 42; });
    CHECK(cudaGetLastError() == cudaErrorStreamCaptureImplicit);
    CHECK(device[0] == 0);
    cudaGraph_t refused = nullptr;
    CHECK(cudaStreamEndCapture(stream, &refused) == cudaErrorStreamCaptureInvalidated);
    CHECK(cudaStreamBeginCapture(nullptr, cudaStreamCaptureModeThreadLocal) ==
          cudaErrorStreamCaptureUnsupported);
    cudaGetLastError();

    CHECK(cudaGraphExecDestroy(exec) == cudaSuccess);
    CHECK(cudaGraphDestroy(graph) == cudaSuccess);
    CHECK(cudaStreamDestroy(stream) == cudaSuccess);
    CHECK(cudaFree(relaxed_block) == cudaSuccess);
    CHECK(cudaFreeHost(pinned) == cudaSuccess);
    CHECK(cudaFree(device) == cudaSuccess);
}
