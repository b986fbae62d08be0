// jhr/backends/onednn/pooling.hpp: 2-d max pooling (no padding, floor output size) on oneDNN's
// pooling primitives, forward_training so that forward records oneDNN's workspace.
//
// The workspace is oneDNN's own (argmax offsets in its chosen data type), stored in the float
// buffer the layer allocates: max_pool2d_workspace() is its byte size divided by 4, rounded up.
// Forward writes it; backward reads it and overwrites dx (zero where no maximum was taken).
// x, y, dx and dy are in the geometry's layout (nchw or nChw16c), which the primitives use as is.
#pragma once

#include "jhr/backends/onednn/context.hpp"

#include <algorithm>

namespace jhr::backends {

struct onednn_max_pooling {
    static std::size_t max_pool2d_workspace(const pool2d_geometry& g) {
        if (g.output().size() == 0) return 0;
        return onednn_detail::guarded("max_pool2d_workspace", g, [&] {
            return (forward_entry(g).workspace_bytes + sizeof(float) - 1) / sizeof(float);
        });
    }

    static void max_pool2d_forward(const pool2d_geometry& g, const float* x, float* y, float* workspace) {
        if (g.output().size() == 0) return;
        onednn_detail::guarded("max_pool2d_forward", g, [&] {
            onednn_detail::run(forward_entry(g),
                               {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}, {DNNL_ARG_WORKSPACE, workspace}});
        });
    }

    static void max_pool2d_backward(const pool2d_geometry& g, const float* workspace, const float* dy,
                                    float* dx) {
        if (g.input().size() == 0) return;
        if (g.output().size() == 0) {
            std::fill(dx, dx + g.input().size(), 0.0f);
            return;
        }
        onednn_detail::guarded("max_pool2d_backward", g, [&] {
            auto& entry = onednn_detail::lookup(key(backward, g), [&] {
                const auto hint = forward_pd(g);
                const auto pd = backward_pd(g, hint);
                onednn_detail::primitive_builder build;
                build.argument(DNNL_ARG_DIFF_DST, dst_md(g), pd.diff_dst_desc(), true);
                build.direct(DNNL_ARG_WORKSPACE, pd.workspace_desc());
                build.argument(DNNL_ARG_DIFF_SRC, src_md(g), pd.diff_src_desc(), false);
                return build.finish(dnnl::pooling_backward(pd), pd.scratchpad_desc());
            });
            onednn_detail::run(
                entry, {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_WORKSPACE, workspace}, {DNNL_ARG_DIFF_SRC, dx}});
        });
    }

private:
    enum kind { forward = 200, backward };
    using md = dnnl::memory::desc;

    static onednn_detail::cache_key key(kind k, const pool2d_geometry& g) {
        return {k, {g.batch, g.channels, g.in_height, g.in_width, g.window, g.stride, int(g.data_layout)}};
    }
    static md src_md(const pool2d_geometry& g) {
        return onednn_detail::plain({g.batch, g.channels, g.in_height, g.in_width},
                                    onednn_detail::tag_of(g.data_layout));
    }
    static md dst_md(const pool2d_geometry& g) {
        return onednn_detail::plain({g.batch, g.channels, g.out_height(), g.out_width()},
                                    onednn_detail::tag_of(g.data_layout));
    }

    static onednn_detail::cached_primitive& forward_entry(const pool2d_geometry& g) {
        return onednn_detail::lookup(key(forward, g), [&] {
            const auto pd = forward_pd(g);
            onednn_detail::primitive_builder build;
            build.argument(DNNL_ARG_SRC, src_md(g), pd.src_desc(), true);
            build.argument(DNNL_ARG_DST, dst_md(g), pd.dst_desc(), false);
            build.direct(DNNL_ARG_WORKSPACE, pd.workspace_desc());
            auto entry = build.finish(dnnl::pooling_forward(pd), pd.scratchpad_desc());
            entry.workspace_bytes = pd.workspace_desc().get_size();
            return entry;
        });
    }

    static dnnl::pooling_forward::primitive_desc forward_pd(const pool2d_geometry& g) {
        const onednn_detail::dims strides{g.stride, g.stride}, kernel{g.window, g.window}, padding{0, 0};
        const auto prop = dnnl::prop_kind::forward_training;
        const auto algo = dnnl::algorithm::pooling_max;
#if DNNL_VERSION_MAJOR >= 3
        const onednn_detail::dims dilation{0, 0}; // none: oneDNN counts dilation from 0
        return {onednn_detail::engine(),
                prop,
                algo,
                src_md(g),
                dst_md(g),
                strides,
                kernel,
                dilation,
                padding,
                padding,
                onednn_detail::user_scratchpad()};
#else
        const dnnl::pooling_forward::desc desc(prop, algo, src_md(g), dst_md(g), strides, kernel, padding,
                                               padding);
        return {desc, onednn_detail::user_scratchpad(), onednn_detail::engine()};
#endif
    }

    static dnnl::pooling_backward::primitive_desc
    backward_pd(const pool2d_geometry& g, const dnnl::pooling_forward::primitive_desc& hint) {
        const onednn_detail::dims strides{g.stride, g.stride}, kernel{g.window, g.window}, padding{0, 0};
        const auto algo = dnnl::algorithm::pooling_max;
#if DNNL_VERSION_MAJOR >= 3
        const onednn_detail::dims dilation{0, 0};
        return {onednn_detail::engine(),
                algo,
                src_md(g),
                dst_md(g),
                strides,
                kernel,
                dilation,
                padding,
                padding,
                hint,
                onednn_detail::user_scratchpad()};
#else
        const dnnl::pooling_backward::desc desc(algo, src_md(g), dst_md(g), strides, kernel, padding,
                                                padding);
        return {desc, onednn_detail::user_scratchpad(), onednn_detail::engine(), hint};
#endif
    }
};

} // namespace jhr::backends
