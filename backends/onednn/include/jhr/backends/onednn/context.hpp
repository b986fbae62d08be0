// jhr/backends/onednn/context.hpp: the oneDNN engine, the per-thread stream and primitive cache, and
// the error translation every oneDNN call goes through.
//
// - One CPU engine for the process. Each thread has its own stream, primitive cache and staging
//   buffer, so cached primitives and the memory they run in are never shared across threads.
// - A cached_primitive is built once per (kind, geometry) key: its primitive descriptors, primitives,
//   memory objects and scratchpad requirement. run() only rebinds the caller's pointers
//   (set_data_handle) and executes, so a training step allocates nothing after its first.
// - Reordered copies of arguments (blocked layouts) and the scratchpad live only during one run(),
//   so every entry places them at fixed offsets in one per-thread staging buffer (its copies, then
//   one scratchpad region its steps share), sized for the largest entry, instead of owning them:
//   memory grows with the largest layer, not with the number of layers.
// - Activations arrive in their tensor's layout (nchw or nChw16c); a reorder is added only where the
//   primitive chose another, and counted (activation_reorder_counter) so tests can hold layers to
//   reordering at the edges only.
// - Every dnnl::error becomes a jhr::backend_error naming the primitive, the geometry and the
//   source location of the call.
#pragma once

#include "jhr/core/error.hpp"
#include "jhr/core/geometry.hpp"
#include "jhr/core/layout.hpp"

#include <oneapi/dnnl/dnnl.hpp>
#if DNNL_CPU_RUNTIME == DNNL_RUNTIME_OMP
#include <omp.h>
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <source_location>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace jhr::backends::onednn_detail {

using tag = dnnl::memory::format_tag;
using dims = dnnl::memory::dims;

// A primitive kind plus the integers that determine its descriptors; compared without allocation.
struct cache_key {
    int kind = 0;
    std::array<std::int64_t, 11> values{};
    bool operator==(const cache_key&) const = default;
};

struct cache_key_hash {
    std::size_t operator()(const cache_key& key) const {
        std::size_t h = std::hash<int>{}(key.kind);
        for (const std::int64_t v : key.values) h = h * 1000003u ^ std::hash<std::int64_t>{}(v);
        return h;
    }
};

// One primitive ready to run: the steps (input reorders, the primitive, output reorders) and the
// caller-facing memory objects, one per DNNL_ARG_* the caller binds, in the caller's plain layout.
struct cached_primitive {
    // exec_args mirrors args for the C API, so executing builds no argument list.
    struct step {
        dnnl::primitive primitive;
        std::unordered_map<int, dnnl::memory> args;
        std::vector<dnnl_exec_arg_t> exec_args;
    };
    std::vector<std::pair<int, dnnl::memory>> bindings;
    std::vector<std::pair<dnnl::memory, std::size_t>> staged; // reorder buffers: byte offsets in staging
    std::size_t scratchpad_offset = 0;                        // of the steps' shared scratchpad
    std::size_t workspace_bytes = 0;
    std::size_t activation_reorders = 0; // steps that reorder a source, destination or their gradient
    std::vector<step> steps;
};

struct binding {
    int arg;
    const void* data;
};

inline const dnnl::engine& engine() {
    static const dnnl::engine instance(dnnl::engine::kind::cpu, 0);
    return instance;
}

// The number of threads oneDNN primitives (and the backend's host loops) use from now on, set on
// oneDNN's OpenMP runtime (Debian's libdnnl is built with GNU OpenMP). Other runtimes: no effect.
inline void set_threads(int threads) {
#if DNNL_CPU_RUNTIME == DNNL_RUNTIME_OMP
    omp_set_num_threads(threads);
#else
    (void)threads;
#endif
}

inline std::atomic<std::size_t>& creation_counter() {
    static std::atomic<std::size_t> count{0};
    return count;
}

// Activation tensors reordered so far (inside primitives and by relayout), over all threads.
inline std::atomic<std::size_t>& activation_reorder_counter() {
    static std::atomic<std::size_t> count{0};
    return count;
}

// oneDNN's tag for an fp32 layout; bfloat16 storage (nhwc_bf16) is not this backend's.
inline tag tag_of(layout l) {
    if (bfloat16_elements(l))
        throw backend_error("onednn: activations stored " + std::string(name(l)) + " are not supported");
    return l == layout::nchw ? tag::nchw : l == layout::nchw16c ? tag::nChw16c : tag::nhwc;
}

// A byte buffer that only grows (oneDNN allocates it, aligned for its kernels).
struct growing_buffer {
    dnnl::memory memory;
    std::size_t bytes = 0;

    void reserve(std::size_t needed) {
        if (needed <= bytes) return;
        memory =
            dnnl::memory({dims{dnnl::memory::dim(needed)}, dnnl::memory::data_type::u8, tag::a}, engine());
        bytes = needed;
    }
    std::byte* data() const { return static_cast<std::byte*>(memory.get_data_handle()); }
};

// The per-thread state: stream, cache, and the staging buffer shared by all of this thread's
// primitives.
struct thread_context {
    dnnl::stream stream{engine()};
    std::unordered_map<cache_key, std::unique_ptr<cached_primitive>, cache_key_hash> cache;
    growing_buffer staging;
};

inline thread_context& context() {
    thread_local thread_context instance;
    return instance;
}

// Sizes of the primitives that take no geometry descriptor, for keys and error messages (the
// geometries describe themselves, core/geometry.hpp).
struct length {
    std::size_t n;
};
struct matrix_size {
    std::size_t rows, cols;
};

inline std::string describe(const shape& s) {
    return "tensor " + s.str();
}
inline std::string describe(length l) {
    return "{n " + std::to_string(l.n) + "}";
}
inline std::string describe(matrix_size m) {
    return "{rows " + std::to_string(m.rows) + ", cols " + std::to_string(m.cols) + "}";
}

// Runs f, turning a dnnl::error into backend_error "file:line: onednn <primitive> <geometry>: ...".
template <class Function>
decltype(auto) guarded(std::string_view primitive, const auto& geometry, Function&& f,
                       std::source_location loc = std::source_location::current()) {
    try {
        return f();
    } catch (const dnnl::error& e) {
        throw backend_error(std::string(loc.file_name()) + ":" + std::to_string(loc.line()) + ": onednn " +
                            std::string(primitive) + " " + describe(geometry) + ": " + e.what() +
                            " (status " + std::to_string(int(e.status)) + ")");
    }
}

inline dnnl::primitive_attr user_scratchpad() {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    return attr;
}

inline dnnl::memory unbound(const dnnl::memory::desc& md) {
    return dnnl::memory(md, engine(), DNNL_MEMORY_NONE);
}

// Builds a cached_primitive step by step; the descriptors it receives come from primitive
// descriptors created with user_scratchpad().
class primitive_builder {
public:
    // An argument the caller binds in layout `plain` (the caller's: nchw, nChw16c or oihw); `chosen`
    // is the primitive's layout for it. When they differ, a reorder through an owned buffer is added
    // before (input) or after (output) the primitive.
    void argument(int arg, const dnnl::memory::desc& plain, const dnnl::memory::desc& chosen, bool input) {
        dnnl::memory user = unbound(plain);
        result_.bindings.emplace_back(arg, user);
        if (plain == chosen) {
            args_.emplace(arg, user);
            return;
        }
        dnnl::memory owned = unbound(chosen);
        if (arg == DNNL_ARG_SRC || arg == DNNL_ARG_DST || arg == DNNL_ARG_DIFF_SRC ||
            arg == DNNL_ARG_DIFF_DST)
            ++result_.activation_reorders;
        result_.staged.emplace_back(owned, staged_bytes_);
        staged_bytes_ += (chosen.get_size() + staging_alignment - 1) / staging_alignment * staging_alignment;
        args_.emplace(arg, owned);
        auto& steps = input ? before_ : after_;
        const dnnl::memory& from = input ? user : owned;
        const dnnl::memory& to = input ? owned : user;
        const dnnl::reorder::primitive_desc pd(engine(), from.get_desc(), engine(), to.get_desc(),
                                               user_scratchpad());
        steps.push_back(
            make_step(dnnl::reorder(pd), pd.scratchpad_desc(), {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}}));
    }
    // An argument bound directly in the primitive's layout (e.g. a pooling workspace).
    void direct(int arg, const dnnl::memory::desc& md) {
        dnnl::memory user = unbound(md);
        result_.bindings.emplace_back(arg, user);
        args_.emplace(arg, user);
    }
    cached_primitive finish(dnnl::primitive primitive, const dnnl::memory::desc& scratchpad) {
        result_.steps = std::move(before_);
        result_.steps.push_back(make_step(std::move(primitive), scratchpad, std::move(args_)));
        for (auto& s : after_) result_.steps.push_back(std::move(s));
        result_.scratchpad_offset = staged_bytes_;
        context().staging.reserve(staged_bytes_ + scratchpad_bytes_);
        return std::move(result_);
    }

private:
    cached_primitive::step make_step(dnnl::primitive p, const dnnl::memory::desc& scratchpad,
                                     std::unordered_map<int, dnnl::memory> args) {
        if (scratchpad.get_size() > 0) {
            scratchpad_bytes_ = std::max(scratchpad_bytes_, scratchpad.get_size());
            args.emplace(DNNL_ARG_SCRATCHPAD, unbound(scratchpad));
        }
        std::vector<dnnl_exec_arg_t> exec_args;
        for (const auto& [arg, memory] : args) exec_args.push_back({arg, memory.get()});
        return {std::move(p), std::move(args), std::move(exec_args)};
    }

    static constexpr std::size_t staging_alignment = 4096;

    cached_primitive result_;
    std::size_t staged_bytes_ = 0, scratchpad_bytes_ = 0;
    std::unordered_map<int, dnnl::memory> args_;
    std::vector<cached_primitive::step> before_, after_;
};

// The cached primitive for key, built by make() (returning cached_primitive) on first use.
template <class Make>
cached_primitive& lookup(const cache_key& key, Make&& make) {
    auto& cache = context().cache;
    if (auto it = cache.find(key); it != cache.end()) return *it->second;
    auto entry = std::make_unique<cached_primitive>(make());
    creation_counter().fetch_add(1, std::memory_order_relaxed);
    return *cache.emplace(key, std::move(entry)).first->second;
}

// Binds the caller's pointers to the entry's memory objects and executes every step in order.
inline void run(cached_primitive& entry, std::initializer_list<binding> bindings) {
    for (const binding& b : bindings)
        for (auto& [arg, memory] : entry.bindings)
            if (arg == b.arg) memory.set_data_handle(const_cast<void*>(b.data));
    if (entry.activation_reorders > 0)
        activation_reorder_counter().fetch_add(entry.activation_reorders, std::memory_order_relaxed);
    thread_context& ctx = context();
    for (auto& [memory, offset] : entry.staged) memory.set_data_handle(ctx.staging.data() + offset);
    for (auto& s : entry.steps) {
        if (auto it = s.args.find(DNNL_ARG_SCRATCHPAD); it != s.args.end())
            it->second.set_data_handle(ctx.staging.data() + entry.scratchpad_offset);
        const dnnl_status_t status = dnnl_primitive_execute(s.primitive.get(), ctx.stream.get(),
                                                            int(s.exec_args.size()), s.exec_args.data());
        if (status != dnnl_success) throw dnnl::error(status, "could not execute a primitive");
    }
    ctx.stream.wait();
}

inline dnnl::memory::desc plain(dims shape, tag layout) {
    return dnnl::memory::desc(std::move(shape), dnnl::memory::data_type::f32, layout);
}

} // namespace jhr::backends::onednn_detail
