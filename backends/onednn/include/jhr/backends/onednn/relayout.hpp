// jhr/backends/onednn/relayout.hpp: conversion of an activation tensor between nchw and nChw16c on a
// cached oneDNN reorder (the BlockedLayouts capability). y is overwritten; x and y must not overlap.
#pragma once

#include "jhr/backends/onednn/context.hpp"

#include <cstring>
#include <string>

namespace jhr::backends {

struct onednn_relayout {
    static void relayout(const shape& s, layout from, const float* x, layout to, float* y) {
        if (!fits(from, s.c) || !fits(to, s.c))
            throw backend_error("onednn relayout: " + s.str() + " cannot be stored in " +
                                std::string(name(from)) + " and " + std::string(name(to)));
        if (s.size() == 0) return;
        if (from == to) {
            std::memcpy(y, x, s.size() * sizeof(float));
            return;
        }
        onednn_detail::guarded("relayout", s, [&] {
            const onednn_detail::cache_key key{300, {s.n, s.c, s.h, s.w, int(from), int(to)}};
            auto& entry = onednn_detail::lookup(key, [&] {
                const auto source = md(s, from), target = md(s, to);
                const dnnl::reorder::primitive_desc pd(onednn_detail::engine(), source,
                                                       onednn_detail::engine(), target,
                                                       onednn_detail::user_scratchpad());
                onednn_detail::primitive_builder build;
                build.direct(DNNL_ARG_FROM, source);
                build.direct(DNNL_ARG_TO, target);
                auto result = build.finish(dnnl::reorder(pd), pd.scratchpad_desc());
                result.activation_reorders = 1;
                return result;
            });
            onednn_detail::run(entry, {{DNNL_ARG_FROM, x}, {DNNL_ARG_TO, y}});
        });
    }

private:
    static dnnl::memory::desc md(const shape& s, layout l) {
        return onednn_detail::plain({s.n, s.c, s.h, s.w}, onednn_detail::tag_of(l));
    }
};

} // namespace jhr::backends
