// jhr/backends/cuda/graph.hpp: stream capture into a graph with its own memory pool.
#include "jhr/backends/cuda/graph.hpp"

#include "capture.hpp"
#include "check.hpp"

#include <string>

namespace jhr::backends {
namespace {

using cuda_detail::capture_state;

thread_local capture_state* capturing = nullptr;

// Ends this thread's capture: handles back on the default stream, the capture stream destroyed.
// Returns the captured graph (null when the capture failed) and the status of ending it.
std::pair<cudaGraph_t, cudaError_t> finish(capture_state& c) noexcept {
    cudaGraph_t graph = nullptr;
    const cudaError_t status = cudaStreamEndCapture(c.stream, &graph);
    capturing = nullptr;
    try {
        cuda_detail::set_library_stream(nullptr);
    } catch (...) { // the handles exist (the capture began after creating them): nothing fails here
    }
    cudaStreamDestroy(c.stream);
    cudaGetLastError(); // a failed end is reported through its status
    return {graph, status};
}

} // namespace

cuda_detail::capture_state* cuda_detail::capture() noexcept {
    return capturing;
}

struct cuda_graph::state {
    cudaGraphExec_t exec = nullptr;
    std::uint64_t pool = 0;
    std::vector<std::shared_ptr<void>> kept;
};

void cuda_graph::release::operator()(state* s) const noexcept {
    cudaDeviceSynchronize(); // replays still running read the pool and the kept memory
    cudaGetLastError();
    cudaGraphExecDestroy(s->exec);
    cuda_detail::close_pool(s->pool);
    delete s; // frees the kept memory
}

void cuda_graph::begin_capture() {
    if (capturing) throw backend_error(where("cuda graph: this thread is capturing a graph already"));
    auto c = std::make_unique<capture_state>();
    JHR_CUDA_CHECK(cudaStreamCreate(&c->stream));
    try {
        cuda_detail::set_library_stream(c->stream); // creates the handles now: not allowed in a capture
        JHR_CUDA_CHECK(cudaStreamBeginCapture(c->stream, cudaStreamCaptureModeThreadLocal));
    } catch (...) {
        try {
            cuda_detail::set_library_stream(nullptr);
        } catch (...) {
        }
        cudaStreamDestroy(c->stream);
        throw;
    }
    c->pool = cuda_detail::open_pool();
    capturing = c.release();
}

cuda_graph cuda_graph::end_capture() {
    std::unique_ptr<capture_state> c(capturing);
    auto [graph, status] = finish(*c);
    std::unique_ptr<state, release> s(new state{nullptr, c->pool, std::move(c->kept)});
    if (status != cudaSuccess) {
        cudaGraphDestroy(graph);
        cuda_detail::check(status, "cudaStreamEndCapture (the captured work made a call a capture refuses)",
                           __FILE__, __LINE__);
    }
    status = cudaGraphInstantiate(&s->exec, graph, 0);
    cudaGraphDestroy(graph);
    JHR_CUDA_CHECK(status);
    return cuda_graph(s.release());
}

void cuda_graph::abandon_capture() noexcept {
    std::unique_ptr<capture_state> c(capturing);
    const auto [graph, status] = finish(*c);
    (void)status;
    cudaGraphDestroy(graph);
    cuda_detail::close_pool(c->pool);
}

void cuda_graph::replay() const {
    if (!state_) throw backend_error(where("cuda graph: replay of a graph that recorded nothing"));
    JHR_CUDA_CHECK(cudaGraphLaunch(state_->exec, cuda_detail::stream()));
}

} // namespace jhr::backends
