// context.hpp: an assembly switch on x86-64, ucontext elsewhere.
#include "context.hpp"

#include <cstdint>
#include <cstring>

#if defined(__x86_64__)

// jhr_host_switch(&from, to): pushes the callee-saved registers and the MXCSR / x87 control words on
// the running stack, stores its stack pointer in *from, then loads `to` and pops the same frame.
extern "C" void jhr_host_switch(void** from, void* to);
asm(R"(
    .pushsection .text
    .globl jhr_host_switch
    .type jhr_host_switch, @function
jhr_host_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size jhr_host_switch, .-jhr_host_switch
    .popsection
)");

namespace jhr::backends::cuda_host {

// The first frame popped by jhr_host_switch: the control words, six registers, then entry as the
// return address, over an empty slot that leaves the stack as a call would (rsp + 8 aligned to 16).
void prepare(context& c, char* stack, std::size_t size, void (*entry)()) {
    auto top = (reinterpret_cast<std::uintptr_t>(stack) + size) & ~std::uintptr_t(15);
    auto* frame = reinterpret_cast<std::uint64_t*>(top) - 9;
    std::uint32_t mxcsr = 0;
    std::uint16_t x87 = 0;
    asm volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mxcsr), "=m"(x87));
    frame[0] = 0;
    std::memcpy(&frame[0], &mxcsr, sizeof mxcsr);
    std::memcpy(reinterpret_cast<char*>(&frame[0]) + 4, &x87, sizeof x87);
    for (int r = 1; r <= 6; ++r) frame[r] = 0;
    frame[7] = reinterpret_cast<std::uint64_t>(entry);
    frame[8] = 0;
    c.stack_pointer = frame;
}

void switch_context(context& from, context& to) {
    jhr_host_switch(&from.stack_pointer, to.stack_pointer);
}

} // namespace jhr::backends::cuda_host

#else

namespace jhr::backends::cuda_host {

void prepare(context& c, char* stack, std::size_t size, void (*entry)()) {
    getcontext(&c.state);
    c.state.uc_stack.ss_sp = stack;
    c.state.uc_stack.ss_size = size;
    c.state.uc_link = nullptr;
    makecontext(&c.state, entry, 0);
}

void switch_context(context& from, context& to) {
    swapcontext(&from.state, &to.state);
}

} // namespace jhr::backends::cuda_host

#endif
