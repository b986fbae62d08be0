// jhr/backends/onednn/activation.hpp: ReLU on oneDNN's eltwise primitives, with the reference
// semantics: y = max(x, 0); dx = dy where x > 0, else 0. Tensors are viewed as [n].
// (PReLU runs as a host loop: onednn/host_parallel.hpp.)
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

private:
    enum kind { relu_fwd = 300, relu_bwd };
    using md = dnnl::memory::desc;
    using length = onednn_detail::length;
    using tag = onednn_detail::tag;

    static onednn_detail::cache_key key(kind k, std::size_t n) {
        return {k, {std::int64_t(n)}};
    }
    static md vector_md(std::size_t n) {
        return onednn_detail::plain({dnnl::memory::dim(n)}, tag::a);
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
};

} // namespace jhr::backends
