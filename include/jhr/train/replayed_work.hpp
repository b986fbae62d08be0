// jhr/train/replayed_work.hpp: work run as it is once, captured, and replayed afterwards.
//
// replayed_work<B>::run(work) on a CapturedGraphs backend (CUDA graphs) runs work() the first time
// (a convolution's first call chooses its algorithms, which a capture cannot) and captures it, then
// replays that capture at every later call; reset() forgets it, returning its memory. Elsewhere run()
// just runs work(). The trainer's graph option and `jhr bench --graph` use it.
#pragma once

#include "jhr/core/backend.hpp"

#include <optional>
#include <variant>

namespace jhr {

// Where replayed_work keeps its capture: a graph of a CapturedGraphs backend, else nothing.
template <class B>
struct graph_slot {
    using type = std::monostate;
};
template <CapturedGraphs B>
struct graph_slot<B> {
    using type = std::optional<typename B::graph>;
};

template <Backend B>
class replayed_work {
public:
    // Returns whether it replayed.
    template <class Work>
    bool run(Work&& work) {
        if constexpr (CapturedGraphs<B>) {
            if (graph_) {
                graph_->replay();
                return true;
            }
            work();
            graph_ = B::graph::capture(work);
        } else {
            work();
        }
        return false;
    }
    void reset() {
        if constexpr (CapturedGraphs<B>) graph_.reset();
    }

private:
    [[no_unique_address]] typename graph_slot<B>::type graph_;
};

} // namespace jhr
