// jhr/backends/cuda/graph.hpp: CUDA graphs: a function's backend work recorded once and replayed
// with one launch.
//
// cuda_graph::capture(work) runs work() on the calling thread with every kernel, copy, cuDNN and
// cuBLAS call of the backend recorded instead of run. replay() runs the recorded work, in order with
// the backend's other work. What work() did on the host (shape checks, allocations, the pointers it
// chose) happened once, at capture: every replay reads and writes the same device memory. So
// - work() must have run once before: a convolution's first call chooses its algorithms by timing
//   them, which cannot be recorded (it throws, naming the convolution);
// - work() cannot wait for the device: download, sum, dot, a loss's value() and synchronize throw;
//   an upload inside it is recorded with the data it had at capture;
// - new inputs are written into the tensors work() read (upload, copy) before each replay;
// - the tensors work() used must stay allocated, and keep their size, while the graph lives.
// Memory work() allocates or frees comes from the graph's own pool and goes to no other use while the
// graph lives. Throws jhr::backend_error naming the failing call; a capture that fails leaves no
// graph and the thread capturing nothing.
#pragma once

#include <memory>
#include <utility>

namespace jhr::backends {

class cuda_graph {
public:
    cuda_graph() = default; // records nothing; replay() throws
    cuda_graph(cuda_graph&&) noexcept = default;
    cuda_graph& operator=(cuda_graph&&) noexcept = default;
    ~cuda_graph() = default; // waits for its replays to finish

    template <class Work>
    static cuda_graph capture(Work&& work) {
        begin_capture();
        try {
            std::forward<Work>(work)();
        } catch (...) {
            abandon_capture();
            throw;
        }
        return end_capture();
    }

    void replay() const;
    bool empty() const noexcept { return !state_; }

private:
    struct state;
    struct release {
        void operator()(state* s) const noexcept;
    };
    explicit cuda_graph(state* s) : state_(s) {}

    static void begin_capture();
    static cuda_graph end_capture();
    static void abandon_capture() noexcept;

    std::unique_ptr<state, release> state_;
};

} // namespace jhr::backends
