// The host execution of runtime.hpp: tracked host memory, the last-error state and the launch.
#include "runtime.hpp"

#include "context.hpp"

#include "jhr/core/error.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

// The recorded work of a graph (the same type serves as cudaGraph_t and cudaGraphExec_t).
struct host_stream {};
struct host_graph {
    std::vector<std::function<void()>> work;
};

namespace {

thread_local cudaError_t last_error = cudaSuccess;

cudaError_t fail(cudaError_t status) {
    last_error = status;
    return status;
}

// The calling thread's capture: the stream captured and the work recorded so far.
struct capture_state {
    host_stream* stream = nullptr;
    host_graph* graph = nullptr; // null: this thread captures nothing
    cudaStreamCaptureMode mode = cudaStreamCaptureModeGlobal;
    bool invalidated = false;
};
thread_local capture_state capturing;
thread_local cudaStreamCaptureMode interaction = cudaStreamCaptureModeGlobal;

// True (after failing with `status` and invalidating the capture) when this thread captures and
// neither the capture nor the thread's interaction mode is relaxed.
bool refused(cudaError_t status = cudaErrorStreamCaptureUnsupported) {
    if (!capturing.graph || capturing.mode == cudaStreamCaptureModeRelaxed ||
        interaction == cudaStreamCaptureModeRelaxed)
        return false;
    capturing.invalidated = true;
    fail(status);
    return true;
}

// What work on `stream` does now: recorded into the capture, refused (default-stream work while this
// thread captures: it would wait for the captured stream), or run.
enum class disposition { record, refuse, run };
disposition dispose(cudaStream_t stream) {
    if (!capturing.graph) return disposition::run;
    if (stream == capturing.stream) return disposition::record;
    if (stream) return disposition::run;
    capturing.invalidated = true;
    fail(cudaErrorStreamCaptureImplicit);
    return disposition::refuse;
}

// Records `work` when `stream` is captured (cudaSuccess) or refuses it as dispose() does; empty when
// it is to run now (work is then not copied).
template <class Work>
std::optional<cudaError_t> record_or_refuse(cudaStream_t stream, const Work& work) {
    switch (dispose(stream)) {
    case disposition::record:
        capturing.graph->work.emplace_back(work);
        return cudaSuccess;
    case disposition::refuse:
        return cudaErrorStreamCaptureImplicit;
    case disposition::run:
        break;
    }
    return std::nullopt;
}

// Live allocations by address, so that copies can be checked against them.
class device_memory {
public:
    cudaError_t allocate(void** block, std::size_t bytes) {
        if (!block) return fail(cudaErrorInvalidValue);
        *block = nullptr;
        if (bytes == 0) return cudaSuccess;
        void* memory = ::operator new(bytes, alignment, std::nothrow);
        if (!memory) return fail(cudaErrorMemoryAllocation);
        std::lock_guard lock(mutex_);
        live_.emplace(address(memory), bytes);
        *block = memory;
        return cudaSuccess;
    }

    cudaError_t free(void* block) {
        if (!block) return cudaSuccess;
        {
            std::lock_guard lock(mutex_);
            if (live_.erase(address(block)) == 0) return fail(cudaErrorInvalidValue);
        }
        ::operator delete(block, alignment);
        return cudaSuccess;
    }

    // True when [p, p + bytes) lies inside one live allocation.
    bool holds(const void* p, std::size_t bytes) {
        std::lock_guard lock(mutex_);
        auto next = live_.upper_bound(address(p));
        if (next == live_.begin()) return false;
        const auto& [start, size] = *std::prev(next);
        return address(p) - start <= size && bytes <= size - (address(p) - start);
    }

private:
    static constexpr std::align_val_t alignment{256}; // cudaMalloc's alignment is at least 256 bytes
    static std::uintptr_t address(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

    std::mutex mutex_;
    std::map<std::uintptr_t, std::size_t> live_;
};

device_memory& memory() {
    static auto* instance = new device_memory; // buffers may be freed after main returns
    return *instance;
}

// The copies cudaMemcpyAsync queued, numbered in stream order, and the page-locked blocks handed out.
class stream_state {
public:
    void enqueue(void* dst, const void* src, std::size_t bytes) {
        std::lock_guard lock(mutex_);
        queue_.push_back({dst, src, bytes});
        ++enqueued_;
    }
    std::uint64_t position() {
        std::lock_guard lock(mutex_);
        return enqueued_;
    }
    // How many queued copies have been carried out.
    std::uint64_t carried_out() {
        std::lock_guard lock(mutex_);
        return enqueued_ - queue_.size();
    }
    // Carries out the queued copies numbered below `until` (all of them by default).
    void drain(std::uint64_t until = UINT64_MAX) {
        std::lock_guard lock(mutex_);
        while (!queue_.empty() && enqueued_ - queue_.size() < until) {
            const copy& c = queue_.front();
            std::memmove(c.dst, c.src, c.bytes);
            queue_.pop_front();
        }
    }
    void add_pinned(void* block) {
        std::lock_guard lock(mutex_);
        pinned_.insert(block);
    }
    bool remove_pinned(void* block) {
        std::lock_guard lock(mutex_);
        return pinned_.erase(block) == 1;
    }

private:
    struct copy {
        void* dst;
        const void* src;
        std::size_t bytes;
    };
    std::mutex mutex_;
    std::deque<copy> queue_;
    std::uint64_t enqueued_ = 0;
    std::set<void*> pinned_;
};

stream_state& stream() {
    static auto* instance = new stream_state;
    return *instance;
}

// The fibers of the block being run on this thread.
struct fiber {
    enum class state { running, at_barrier, done };
    jhr::backends::cuda_host::context context;
    std::unique_ptr<char[]> stack;
    state at = state::running;
    void* fake_stack = nullptr; // AddressSanitizer's bookkeeping of this fiber's stack
};

struct block_run {
    void (*thread)(const void*) = nullptr;
    const void* body = nullptr;
    std::vector<fiber> fibers;
    unsigned current = 0, first = 0; // the running thread; the block's first
    bool direct = false;             // threads run on the caller's stack: the first passed no barrier
    jhr::backends::cuda_host::context caller;
    const void* caller_stack = nullptr;
    std::size_t caller_stack_size = 0;
    std::exception_ptr error;
};

thread_local block_run run;

constexpr std::size_t stack_size = std::size_t(256) << 10;

void set_thread_index(unsigned t) {
    threadIdx = {t % blockDim.x, t / blockDim.x % blockDim.y, t / (blockDim.x * blockDim.y)};
}

// enter: from the launching thread's stack into fiber f, until f leaves (at a barrier or finished).
void enter(fiber& f) {
#if defined(__SANITIZE_ADDRESS__)
    void* fake = nullptr;
    __sanitizer_start_switch_fiber(&fake, f.stack.get(), stack_size);
    jhr::backends::cuda_host::switch_context(run.caller, f.context);
    __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#else
    jhr::backends::cuda_host::switch_context(run.caller, f.context);
#endif
}

void leave(fiber& f, bool finished) {
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_start_switch_fiber(finished ? nullptr : &f.fake_stack, run.caller_stack,
                                   run.caller_stack_size);
#else
    (void)finished;
#endif
    jhr::backends::cuda_host::switch_context(f.context, run.caller);
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_finish_switch_fiber(f.fake_stack, &run.caller_stack, &run.caller_stack_size);
#endif
}

void fiber_main() {
    fiber& f = run.fibers[run.current];
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_finish_switch_fiber(nullptr, &run.caller_stack, &run.caller_stack_size);
#endif
    try {
        run.thread(run.body);
    } catch (...) {
        if (!run.error) run.error = std::current_exception();
    }
    f.at = fiber::state::done;
    leave(f, true);
}

// Runs thread t's fiber until it leaves (at a barrier or finished).
void resume(unsigned t) {
    fiber& f = run.fibers[t];
    f.at = fiber::state::running;
    run.current = t;
    set_thread_index(t);
    enter(f);
}

// Starts thread t's fiber on its stack, from the beginning of the kernel.
void start(unsigned t) {
    fiber& f = run.fibers[t];
    if (!f.stack) f.stack = std::make_unique<char[]>(stack_size);
#if defined(__SANITIZE_ADDRESS__)
    // The frames that the stack's last fiber left by switching away are still poisoned.
    ASAN_UNPOISON_MEMORY_REGION(f.stack.get(), stack_size);
#endif
    jhr::backends::cuda_host::prepare(f.context, f.stack.get(), stack_size, fiber_main);
    resume(t);
}

std::string coordinates(const uint3& i) {
    return "(" + std::to_string(i.x) + ", " + std::to_string(i.y) + ", " + std::to_string(i.z) + ")";
}

[[noreturn]] void divergent(unsigned waiting, unsigned finished) {
    set_thread_index(waiting);
    const std::string waits = coordinates(threadIdx);
    set_thread_index(finished);
    throw jhr::backend_error("host execution: divergent __syncthreads in block " + coordinates(blockIdx) +
                             ": thread " + waits + " waits at a barrier that thread " +
                             coordinates(threadIdx) + " finished without reaching");
}

// JHR_CUDA_HOST_ORDER=reverse runs the blocks of a grid and the threads of a block in reverse order,
// so that a kernel whose result depends on that order (a race on a GPU) gives another result.
bool reversed() {
    static const bool value = [] {
        const char* order = std::getenv("JHR_CUDA_HOST_ORDER");
        return order && std::string_view(order) == "reverse";
    }();
    return value;
}

// Runs the block blockIdx: its first thread on a fiber; if that passes no barrier, the others run
// directly on this stack (a barrier there is divergent); otherwise all run as fibers, phase by phase.
void run_block(unsigned threads) {
    const auto nth = [threads](unsigned k) { return reversed() ? threads - 1 - k : k; };
    run.direct = false;
    run.first = nth(0);
    start(run.first);
    if (run.fibers[run.first].at == fiber::state::done) {
        run.direct = true;
        for (unsigned k = 1; k < threads && !run.error; ++k) {
            run.current = nth(k);
            set_thread_index(run.current);
            run.thread(run.body);
        }
        return;
    }
    for (unsigned k = 1; k < threads; ++k) start(nth(k));
    for (;;) {
        if (run.error) return;
        unsigned waiting = threads, finished = threads; // the lowest thread of each kind
        for (unsigned t = threads; t-- > 0;)
            (run.fibers[t].at == fiber::state::done ? finished : waiting) = t;
        if (waiting == threads) return; // every thread finished
        if (finished != threads) divergent(waiting, finished);
        for (unsigned k = 0; k < threads; ++k) resume(nth(k));
    }
}

} // namespace

void __syncthreads() {
    if (run.direct) divergent(run.current, run.first);
    fiber& f = run.fibers[run.current];
    f.at = fiber::state::at_barrier;
    leave(f, false);
}

cudaError_t cudaMalloc(void** block, std::size_t bytes) {
    if (refused()) return cudaErrorStreamCaptureUnsupported;
    return memory().allocate(block, bytes);
}
cudaError_t cudaFree(void* block) {
    if (refused()) return cudaErrorStreamCaptureUnsupported;
    stream().drain();
    return memory().free(block);
}

namespace {
// Whether a copy of `bytes` bytes from src to dst is valid for `kind`: device sides inside live
// allocations.
bool valid_copy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind) {
    const bool device_src = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice;
    const bool device_dst = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice;
    return dst && src && (!device_src || memory().holds(src, bytes)) &&
           (!device_dst || memory().holds(dst, bytes));
}
} // namespace

cudaError_t cudaMemcpy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind) {
    if (bytes == 0) return cudaSuccess;
    if (!valid_copy(dst, src, bytes, kind)) return fail(cudaErrorInvalidValue);
    if (refused()) return cudaErrorStreamCaptureUnsupported;
    stream().drain();
    std::memmove(dst, src, bytes);
    return cudaSuccess;
}

cudaError_t cudaMemset(void* block, int value, std::size_t bytes) {
    if (bytes == 0) return cudaSuccess;
    if (!memory().holds(block, bytes)) return fail(cudaErrorInvalidValue);
    if (refused()) return cudaErrorStreamCaptureUnsupported;
    stream().drain();
    std::memset(block, value, bytes);
    return cudaSuccess;
}

cudaError_t cudaMemsetAsync(void* block, int value, std::size_t bytes, cudaStream_t stream_handle) {
    if (bytes == 0) return cudaSuccess;
    if (!memory().holds(block, bytes)) return fail(cudaErrorInvalidValue);
    if (const auto status = record_or_refuse(stream_handle, [=] { std::memset(block, value, bytes); }))
        return *status;
    stream().drain();
    std::memset(block, value, bytes);
    return cudaSuccess;
}

cudaError_t cudaMallocHost(void** block, std::size_t bytes) {
    if (!block) return fail(cudaErrorInvalidValue);
    if (refused()) return cudaErrorStreamCaptureUnsupported;
    *block = ::operator new(bytes == 0 ? 1 : bytes, std::nothrow);
    if (!*block) return fail(cudaErrorMemoryAllocation);
    stream().add_pinned(*block);
    return cudaSuccess;
}
cudaError_t cudaFreeHost(void* block) {
    if (!block) return cudaSuccess;
    if (refused()) return cudaErrorStreamCaptureUnsupported;
    stream().drain();
    if (!stream().remove_pinned(block)) return fail(cudaErrorInvalidValue);
    ::operator delete(block);
    return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t stream_handle) {
    if (bytes == 0) return cudaSuccess;
    if (!valid_copy(dst, src, bytes, kind)) return fail(cudaErrorInvalidValue);
    if (const auto status = record_or_refuse(stream_handle, [=] { std::memmove(dst, src, bytes); }))
        return *status;
    stream().enqueue(dst, src, bytes);
    return cudaSuccess;
}

// An event holds the stream position it was last recorded at.
struct host_event {
    std::uint64_t position = 0;
};

cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned) {
    if (!event) return fail(cudaErrorInvalidValue);
    *event = new (std::nothrow) host_event;
    return *event ? cudaSuccess : fail(cudaErrorMemoryAllocation);
}
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream_handle) {
    if (!event) return fail(cudaErrorInvalidValue);
    if (dispose(stream_handle) == disposition::refuse) return cudaErrorStreamCaptureImplicit;
    event->position = stream().position();
    return cudaSuccess;
}
cudaError_t cudaEventSynchronize(cudaEvent_t event) {
    if (!event) return fail(cudaErrorInvalidValue);
    if (refused()) return cudaErrorStreamCaptureUnsupported;
    stream().drain(event->position);
    return cudaSuccess;
}
cudaError_t cudaEventQuery(cudaEvent_t event) {
    if (!event) return fail(cudaErrorInvalidValue);
    if (refused()) return cudaErrorStreamCaptureUnsupported;
    return stream().carried_out() >= event->position ? cudaSuccess : fail(cudaErrorNotReady);
}
cudaError_t cudaEventDestroy(cudaEvent_t event) {
    delete event;
    return cudaSuccess;
}
cudaError_t cudaDeviceSynchronize() {
    if (refused()) return cudaErrorStreamCaptureUnsupported;
    stream().drain();
    return cudaSuccess;
}

cudaError_t cudaStreamCreate(cudaStream_t* stream_handle) {
    if (!stream_handle) return fail(cudaErrorInvalidValue);
    *stream_handle = new (std::nothrow) host_stream;
    return *stream_handle ? cudaSuccess : fail(cudaErrorMemoryAllocation);
}
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream_handle, unsigned) {
    return cudaStreamCreate(stream_handle);
}
cudaError_t cudaStreamWaitEvent(cudaStream_t stream_handle, cudaEvent_t event, unsigned) {
    if (!event) return fail(cudaErrorInvalidValue);
    if (dispose(stream_handle) == disposition::refuse) return cudaErrorStreamCaptureImplicit;
    return cudaSuccess;
}
cudaError_t cudaStreamDestroy(cudaStream_t stream_handle) {
    if (!stream_handle || stream_handle == capturing.stream) return fail(cudaErrorInvalidValue);
    delete stream_handle;
    return cudaSuccess;
}
cudaError_t cudaStreamBeginCapture(cudaStream_t stream_handle, cudaStreamCaptureMode mode) {
    if (!stream_handle) return fail(cudaErrorStreamCaptureUnsupported); // the legacy default stream
    if (capturing.graph) return fail(cudaErrorInvalidValue);
    capturing = {stream_handle, new host_graph, mode, false};
    return cudaSuccess;
}
cudaError_t cudaStreamEndCapture(cudaStream_t stream_handle, cudaGraph_t* graph) {
    if (!graph || !capturing.graph || stream_handle != capturing.stream) return fail(cudaErrorInvalidValue);
    const capture_state ended = std::exchange(capturing, {});
    if (ended.invalidated) {
        delete ended.graph;
        *graph = nullptr;
        return fail(cudaErrorStreamCaptureInvalidated);
    }
    *graph = ended.graph;
    return cudaSuccess;
}
cudaError_t cudaThreadExchangeStreamCaptureMode(cudaStreamCaptureMode* mode) {
    if (!mode) return fail(cudaErrorInvalidValue);
    *mode = std::exchange(interaction, *mode);
    return cudaSuccess;
}
cudaError_t cudaGraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long) {
    if (!exec || !graph) return fail(cudaErrorInvalidValue);
    *exec = new (std::nothrow) host_graph(*graph);
    return *exec ? cudaSuccess : fail(cudaErrorMemoryAllocation);
}
cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream_handle) {
    if (!exec) return fail(cudaErrorInvalidValue);
    if (dispose(stream_handle) != disposition::run) return fail(cudaErrorStreamCaptureUnsupported);
    stream().drain();
    for (const auto& work : exec->work) work();
    return cudaSuccess;
}
cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) {
    delete exec;
    return cudaSuccess;
}
cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
    delete graph;
    return cudaSuccess;
}

cudaError_t cudaGetLastError() {
    return std::exchange(last_error, cudaSuccess);
}

namespace {

struct error_text {
    const char* name;
    const char* description;
};

error_text text_of(cudaError_t status) {
    switch (status) {
    case cudaSuccess:
        return {"cudaSuccess", "no error"};
    case cudaErrorInvalidValue:
        return {"cudaErrorInvalidValue", "invalid argument"};
    case cudaErrorMemoryAllocation:
        return {"cudaErrorMemoryAllocation", "out of memory"};
    case cudaErrorNotReady:
        return {"cudaErrorNotReady", "device not ready"};
    case cudaErrorInvalidConfiguration:
        return {"cudaErrorInvalidConfiguration", "invalid configuration argument"};
    case cudaErrorStreamCaptureUnsupported:
        return {"cudaErrorStreamCaptureUnsupported", "operation not permitted when stream is capturing"};
    case cudaErrorStreamCaptureInvalidated:
        return {"cudaErrorStreamCaptureInvalidated",
                "operation failed due to a previous error during capture"};
    case cudaErrorStreamCaptureImplicit:
        return {"cudaErrorStreamCaptureImplicit",
                "operation would make the legacy stream depend on a capturing blocking stream"};
    }
    return {"cudaErrorUnknown", "unknown error"};
}

} // namespace

const char* cudaGetErrorName(cudaError_t status) {
    return text_of(status).name;
}
const char* cudaGetErrorString(cudaError_t status) {
    return text_of(status).description;
}

namespace {
bool valid_configuration(dim3 grid, dim3 block) {
    const std::uint64_t threads = std::uint64_t(block.x) * block.y * block.z;
    return threads > 0 && threads <= 1024 && block.z <= 64 && grid.x > 0 && grid.x <= 0x7fffffffu &&
           grid.y > 0 && grid.y <= 65535 && grid.z > 0 && grid.z <= 65535;
}
} // namespace

namespace jhr::backends::cuda_host {

void launch(cudaStream_t stream_handle, dim3 grid, dim3 block, std::function<void()> body) {
    if (!valid_configuration(grid, block)) {
        fail(cudaErrorInvalidConfiguration);
        return;
    }
    const auto run_grid = [grid, block, body = std::move(body)] { launch(grid, block, body); };
    if (!record_or_refuse(stream_handle, run_grid)) run_grid();
}

void enqueue(cudaStream_t stream_handle, std::function<void()> work) {
    if (const auto status = record_or_refuse(stream_handle, work)) {
        if (*status != cudaSuccess)
            throw backend_error("host execution: library work on the default stream while this thread "
                                "captures a graph (cudaErrorStreamCaptureImplicit)");
        return;
    }
    stream().drain();
    work();
}

void launch(dim3 grid, dim3 block, void (*thread)(const void*), const void* body) {
    const std::uint64_t threads = std::uint64_t(block.x) * block.y * block.z;
    if (!valid_configuration(grid, block)) {
        fail(cudaErrorInvalidConfiguration);
        return;
    }
    if (run.thread) throw backend_error("host execution: a launch from inside a kernel");
    stream().drain(); // the kernel runs after the copies queued before it
    run.thread = thread;
    run.body = body;
    run.error = nullptr;
    if (run.fibers.size() < threads) run.fibers.resize(threads);
    gridDim = grid;
    blockDim = block;
    struct finish {
        ~finish() { run.thread = nullptr; }
    } finish_launch;
    const std::uint64_t blocks = std::uint64_t(grid.x) * grid.y * grid.z;
    for (std::uint64_t k = 0; k < blocks; ++k) {
        const std::uint64_t b = reversed() ? blocks - 1 - k : k;
        blockIdx = {unsigned(b % grid.x), unsigned(b / grid.x % grid.y), unsigned(b / grid.x / grid.y)};
        run_block(unsigned(threads));
        if (run.error) std::rethrow_exception(std::exchange(run.error, nullptr));
    }
}

} // namespace jhr::backends::cuda_host
