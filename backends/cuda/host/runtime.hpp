// Host execution of the CUDA backend's own kernels (included by src/runtime.hpp when
// JHR_CUDA_HOST_EXECUTION is defined; used by tests only).
//
// The backend's kernel and allocator sources (src/*.cu, src/memory.cpp) compile with the C++
// compiler against this header instead of the CUDA toolkit. Device memory is host memory, tracked
// so that copies and fills outside a live allocation fail as on a GPU (cudaErrorInvalidValue). A
// launch checks its configuration as a GPU does, then runs the blocks of the grid one after another
// and the threads of a block as fibers on the calling thread, switching at __syncthreads(): shared
// memory, block-wide reductions and the grid-stride loops behave as on a GPU, and a barrier that not
// every thread of a block reaches is reported as an error instead of hanging. With the environment
// variable JHR_CUDA_HOST_ORDER=reverse, blocks and threads run in reverse order: a kernel whose
// result depends on the order (a race on a GPU) then gives another result. It checks the kernels'
// logic (indexing, barriers, launch shapes; out-of-bounds reads under AddressSanitizer), not their
// speed, races between blocks or cuDNN and cuBLAS, which it does not provide.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>

struct uint3 {
    unsigned x = 0, y = 0, z = 0;
};
struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

#define __global__
#define __device__
#define __host__
#define __shared__ static thread_local // blocks run one at a time on their launching thread

// The running thread's coordinates, set by the launch before each thread (fiber) runs.
inline thread_local uint3 threadIdx, blockIdx;
inline thread_local dim3 blockDim, gridDim;

using std::max;
using std::min;

// Waits until every thread of the block has arrived here.
void __syncthreads();

enum cudaError_t {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInvalidConfiguration = 9,
    cudaErrorNotReady = 600,
    cudaErrorStreamCaptureUnsupported = 900,
    cudaErrorStreamCaptureInvalidated = 901,
    cudaErrorStreamCaptureImplicit = 906,
};
enum cudaMemcpyKind {
    cudaMemcpyHostToDevice = 1,
    cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3,
};

cudaError_t cudaMalloc(void** block, std::size_t bytes);
cudaError_t cudaFree(void* block);
cudaError_t cudaMemcpy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemset(void* block, int value, std::size_t bytes);

// Page-locked host memory (plain host memory here; freeing a pointer it did not give is an error),
// the one stream (the legacy default stream, 0) and events on it. cudaMemcpyAsync is checked when
// called but carried out when the stream reaches it: at the next launch, synchronous copy or fill,
// free, cudaDeviceSynchronize, or cudaEventSynchronize of an event recorded after it. Its source is
// read then, so a host buffer reused before its copy has run shows in the data, as on a GPU.
using cudaStream_t = struct host_stream*;
using cudaEvent_t = struct host_event*;
inline constexpr unsigned cudaEventDisableTiming = 2;
cudaError_t cudaMallocHost(void** block, std::size_t bytes);
cudaError_t cudaFreeHost(void* block);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t stream);
cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned flags);
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream);
cudaError_t cudaEventSynchronize(cudaEvent_t event);
// cudaSuccess once the stream has carried out the copies queued before the event's record, else
// cudaErrorNotReady, which (as on a GPU) is also recorded as the last error.
cudaError_t cudaEventQuery(cudaEvent_t event);
cudaError_t cudaEventDestroy(cudaEvent_t event);
cudaError_t cudaDeviceSynchronize();

// Streams and graphs. A stream from cudaStreamCreate runs in order with the default stream (as a
// blocking stream does on a GPU): its work joins the one queue; so does a non-blocking one's (one
// order a GPU may also run them in: concurrency between streams is not modelled), and
// cudaStreamWaitEvent has nothing left to wait for. Between cudaStreamBeginCapture and
// cudaStreamEndCapture on a stream, launches (cuda_host::launch with that stream), cudaMemcpyAsync
// and cudaMemsetAsync on it are recorded, not run: their arguments are copied, a copy's source is
// read when the graph runs. cudaGraphLaunch runs the recorded work in order, after the copies queued
// before it. While a thread captures, unless its mode (cudaThreadExchangeStreamCaptureMode) is
// relaxed, what a GPU refuses during capture fails with cudaErrorStreamCaptureUnsupported (memory
// allocation and release, synchronous copies and fills, event queries and waits, device
// synchronisation) and work queued on the default stream with cudaErrorStreamCaptureImplicit; either
// invalidates the capture, and cudaStreamEndCapture then fails with
// cudaErrorStreamCaptureInvalidated.
enum cudaStreamCaptureMode {
    cudaStreamCaptureModeGlobal = 0,
    cudaStreamCaptureModeThreadLocal = 1,
    cudaStreamCaptureModeRelaxed = 2,
};
using cudaGraph_t = struct host_graph*;
using cudaGraphExec_t = struct host_graph*;
inline constexpr unsigned cudaStreamNonBlocking = 1;
cudaError_t cudaStreamCreate(cudaStream_t* stream);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned flags);
cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned flags);
cudaError_t cudaStreamDestroy(cudaStream_t stream);
cudaError_t cudaStreamBeginCapture(cudaStream_t stream, cudaStreamCaptureMode mode);
cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t* graph);
cudaError_t cudaThreadExchangeStreamCaptureMode(cudaStreamCaptureMode* mode);
cudaError_t cudaGraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long flags);
cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream);
cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec);
cudaError_t cudaGraphDestroy(cudaGraph_t graph);
cudaError_t cudaMemsetAsync(void* block, int value, std::size_t bytes, cudaStream_t stream);
cudaError_t cudaGetLastError(); // returns and clears the calling thread's last error
const char* cudaGetErrorName(cudaError_t status);
const char* cudaGetErrorString(cudaError_t status);

namespace jhr::backends::cuda_host {

// Runs thread(body) for every thread of a grid x block launch as described above. An invalid
// configuration runs nothing and sets the error cudaGetLastError returns; a divergent barrier
// throws jhr::backend_error naming the block and the threads.
void launch(dim3 grid, dim3 block, void (*thread)(const void*), const void* body);

template <class Body>
void launch(dim3 grid, dim3 block, const Body& body) {
    launch(
        grid, block, [](const void* b) { (*static_cast<const Body*>(b))(); }, &body);
}

// A launch on `stream`: recorded when the calling thread captures that stream (body is kept and run
// per thread when the graph runs), refused while it captures another, else run at once.
void launch(cudaStream_t stream, dim3 grid, dim3 block, std::function<void()> body);

// Work on `stream` that is no kernel (the stand-ins for cuDNN and cuBLAS): recorded or refused like
// a launch, else run at once after the queued copies.
void enqueue(cudaStream_t stream, std::function<void()> work);

} // namespace jhr::backends::cuda_host
