// jhr/backends/onednn/activation.hpp: ReLU on oneDNN's eltwise primitives and per-channel PReLU on
// its prelu primitives, with the reference semantics:
//   relu:  y = max(x, 0); dx = dy where x > 0, else 0.
//   prelu: y = x for x > 0, alpha[c] * x otherwise; dx likewise; dalpha[c] = sum of dy * x where
//          x <= 0 over batch and pixels (written, not accumulated).
// Tensors are viewed as [n] for ReLU and [batch, channels, spatial] for PReLU, alpha as [1, channels, 1].
#pragma once

#include "jhr/backends/onednn/context.hpp"

#include <algorithm>

namespace jhr::backends {

struct onednn_activation {
    static void relu_forward(std::size_t n, const float* x, float* y) {
        if (n == 0) return;
        onednn_detail::guarded("relu_forward", length{n}, [&] {
            auto& entry = onednn_detail::lookup(key(relu_fwd, n), [&] {
                const auto pd = relu_forward_pd(n);
                onednn_detail::primitive_builder build;
                build.argument(DNNL_ARG_SRC, vector_md(n), pd.src_desc(), true);
                build.argument(DNNL_ARG_DST, vector_md(n), pd.dst_desc(), false);
                return build.finish(dnnl::eltwise_forward(pd), pd.scratchpad_desc());
            });
            onednn_detail::run(entry, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}});
        });
    }

    static void relu_backward(std::size_t n, const float* x, const float* dy, float* dx) {
        if (n == 0) return;
        onednn_detail::guarded("relu_backward", length{n}, [&] {
            auto& entry = onednn_detail::lookup(key(relu_bwd, n), [&] {
                const auto hint = relu_forward_pd(n);
                const auto algo = dnnl::algorithm::eltwise_relu;
#if DNNL_VERSION_MAJOR >= 3
                const dnnl::eltwise_backward::primitive_desc pd(onednn_detail::engine(), algo, vector_md(n),
                                                                vector_md(n), vector_md(n), 0.0f, 0.0f, hint,
                                                                onednn_detail::user_scratchpad());
#else
                const dnnl::eltwise_backward::desc desc(algo, vector_md(n), vector_md(n), 0.0f, 0.0f);
                const dnnl::eltwise_backward::primitive_desc pd(desc, onednn_detail::user_scratchpad(),
                                                                onednn_detail::engine(), hint);
#endif
                onednn_detail::primitive_builder build;
                build.argument(DNNL_ARG_SRC, vector_md(n), pd.src_desc(), true);
                build.argument(DNNL_ARG_DIFF_DST, vector_md(n), pd.diff_dst_desc(), true);
                build.argument(DNNL_ARG_DIFF_SRC, vector_md(n), pd.diff_src_desc(), false);
                return build.finish(dnnl::eltwise_backward(pd), pd.scratchpad_desc());
            });
            onednn_detail::run(entry, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_SRC, dx}});
        });
    }

    static void prelu_forward(const channel_geometry& g, const float* x, const float* alpha, float* y) {
        if (g.size() == 0) return;
        onednn_detail::guarded("prelu_forward", g, [&] {
            auto& entry = onednn_detail::lookup(key(prelu_fwd, g), [&] {
                const auto pd = prelu_forward_pd(g);
                onednn_detail::primitive_builder build;
                build.argument(DNNL_ARG_SRC, data_md(g), pd.src_desc(), true);
                build.argument(DNNL_ARG_WEIGHTS, alpha_md(g), pd.weights_desc(), true);
                build.argument(DNNL_ARG_DST, data_md(g), pd.dst_desc(), false);
                return build.finish(dnnl::prelu_forward(pd), pd.scratchpad_desc());
            });
            onednn_detail::run(entry, {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, alpha}, {DNNL_ARG_DST, y}});
        });
    }

    static void prelu_backward(const channel_geometry& g, const float* x, const float* alpha, const float* dy,
                               float* dx, float* dalpha) {
        if (g.size() == 0) {
            std::fill(dalpha, dalpha + g.channels, 0.0f);
            return;
        }
        onednn_detail::guarded("prelu_backward", g, [&] {
            auto& entry = onednn_detail::lookup(key(prelu_bwd, g), [&] {
                const auto hint = prelu_forward_pd(g);
#if DNNL_VERSION_MAJOR >= 3
                const dnnl::prelu_backward::primitive_desc pd(
                    onednn_detail::engine(), data_md(g), alpha_md(g), data_md(g), alpha_md(g), data_md(g),
                    hint, onednn_detail::user_scratchpad());
#else
                const dnnl::prelu_backward::desc desc(data_md(g), alpha_md(g), data_md(g), alpha_md(g));
                const dnnl::prelu_backward::primitive_desc pd(desc, onednn_detail::user_scratchpad(),
                                                              onednn_detail::engine(), hint);
#endif
                onednn_detail::primitive_builder build;
                build.argument(DNNL_ARG_SRC, data_md(g), pd.src_desc(), true);
                build.argument(DNNL_ARG_WEIGHTS, alpha_md(g), pd.weights_desc(), true);
                build.argument(DNNL_ARG_DIFF_DST, data_md(g), pd.diff_dst_desc(), true);
                build.argument(DNNL_ARG_DIFF_SRC, data_md(g), pd.diff_src_desc(), false);
                build.argument(DNNL_ARG_DIFF_WEIGHTS, alpha_md(g), pd.diff_weights_desc(), false);
                return build.finish(dnnl::prelu_backward(pd), pd.scratchpad_desc());
            });
            onednn_detail::run(entry, {{DNNL_ARG_SRC, x},
                                       {DNNL_ARG_WEIGHTS, alpha},
                                       {DNNL_ARG_DIFF_DST, dy},
                                       {DNNL_ARG_DIFF_SRC, dx},
                                       {DNNL_ARG_DIFF_WEIGHTS, dalpha}});
        });
    }

private:
    enum kind { relu_fwd = 300, relu_bwd, prelu_fwd, prelu_bwd };
    using md = dnnl::memory::desc;
    using length = onednn_detail::length;
    using tag = onednn_detail::tag;

    static onednn_detail::cache_key key(kind k, std::size_t n) {
        return {k, {std::int64_t(n)}};
    }
    static onednn_detail::cache_key key(kind k, const channel_geometry& g) {
        return {k, {g.batch, g.channels, g.spatial}};
    }
    static md vector_md(std::size_t n) {
        return onednn_detail::plain({dnnl::memory::dim(n)}, tag::a);
    }
    static md data_md(const channel_geometry& g) {
        return onednn_detail::plain({g.batch, g.channels, g.spatial}, tag::abc);
    }
    static md alpha_md(const channel_geometry& g) {
        return onednn_detail::plain({1, g.channels, 1}, tag::abc);
    }

    static dnnl::eltwise_forward::primitive_desc relu_forward_pd(std::size_t n) {
        const auto prop = dnnl::prop_kind::forward_training;
        const auto algo = dnnl::algorithm::eltwise_relu;
#if DNNL_VERSION_MAJOR >= 3
        return {onednn_detail::engine(),         prop, algo, vector_md(n), vector_md(n), 0.0f, 0.0f,
                onednn_detail::user_scratchpad()};
#else
        const dnnl::eltwise_forward::desc desc(prop, algo, vector_md(n), 0.0f, 0.0f);
        return {desc, onednn_detail::user_scratchpad(), onednn_detail::engine()};
#endif
    }

    static dnnl::prelu_forward::primitive_desc prelu_forward_pd(const channel_geometry& g) {
        const auto prop = dnnl::prop_kind::forward_training;
#if DNNL_VERSION_MAJOR >= 3
        return {onednn_detail::engine(),         prop, data_md(g), alpha_md(g), data_md(g),
                onednn_detail::user_scratchpad()};
#else
        const dnnl::prelu_forward::desc desc(prop, data_md(g), alpha_md(g));
        return {desc, onednn_detail::user_scratchpad(), onednn_detail::engine()};
#endif
    }
};

} // namespace jhr::backends
