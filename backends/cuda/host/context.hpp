// Switching between stacks on one thread, for the fibers of the host execution (private).
//
// prepare(c, stack, size, entry) makes c start entry() on [stack, stack + size) at the first switch
// to it (entry must never return: it switches away for good instead). switch_context(from, to)
// saves the running context in `from` and resumes `to`. On x86-64 a switch saves the callee-saved
// registers and the floating-point control words only (no system call: swapcontext's signal-mask
// system call made it most of the host execution's time); elsewhere it is ucontext's swapcontext.
#pragma once

#include <cstddef>

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

namespace jhr::backends::cuda_host {

struct context {
#if defined(__x86_64__)
    void* stack_pointer = nullptr;
#else
    ucontext_t state{};
#endif
};

void prepare(context& c, char* stack, std::size_t size, void (*entry)());
void switch_context(context& from, context& to);

} // namespace jhr::backends::cuda_host
