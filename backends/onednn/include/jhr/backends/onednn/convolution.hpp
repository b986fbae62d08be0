// jhr/backends/onednn/convolution.hpp: convolution forward, backward-data and backward-weights on
// oneDNN primitives, with the semantics of the reference backend: outputs are
// overwritten; a null bias (forward) or bias gradient (backward-weights) selects the bias-free
// primitive.
//
// Activations come in the layouts the geometry names (nchw or nChw16c), weights as plain OIHW. With
// convolution_layout::blocked the primitives pick their own layouts (format_tag::any), cached
// reorders move whatever differs from the caller's through the staging buffer, and
// conv2d_output_layout asks layers for nChw16c outputs wherever oneDNN's kernels on this CPU use
// it, so a chain of blocked layers reorders only its weights; with convolution_layout::plain the
// primitives work on the caller's layouts directly and outputs are nchw. The layouts are part of
// the cache key, so switching at runtime is safe (benchmarks compare the two).
//
// convolution_algorithm::winograd (the default) asks oneDNN for its Winograd F(4x4, 3x3) kernels
// for blocked 3x3 stride-1 layers where they pay (winograd_pays) and oneDNN has them, and uses
// direct elsewhere; its transforms round differently from direct (~1e-6 relative on the paper's
// layers, within the 1e-4 agreement bound).
// convolution_algorithm::direct always uses the direct algorithm. Also part of the cache key.
//
// At bf16 precision (onednn/precision.hpp) the primitives take bf16 source, weights and output
// gradient (reordered from the caller's fp32 through the staging buffer) and write fp32 outputs,
// dx, dw and db; they use the direct algorithm, and conv2d_output_layout asks for nhwc outputs
// where oneDNN's bf16 kernels use nhwc (AMX). The precision is part of the cache key.
#pragma once

#include "jhr/backends/onednn/context.hpp"
#include "jhr/backends/onednn/precision.hpp"

#include <atomic>
#include <type_traits>

namespace jhr::backends {

enum class convolution_layout { plain, blocked };
enum class convolution_algorithm { direct, winograd };

struct onednn_convolution {
    // The layout new convolution primitives use; blocked measured faster on the paper's layers,
    // mostly in backward-weights (docs/backends.md).
    static std::atomic<convolution_layout>& layout() {
        static std::atomic<convolution_layout> value{convolution_layout::blocked};
        return value;
    }

    // The algorithm new convolution primitives prefer; winograd measured faster on the paper's
    // 3x3 layers (docs/performance.md).
    static std::atomic<convolution_algorithm>& algorithm() {
        static std::atomic<convolution_algorithm> value{convolution_algorithm::winograd};
        return value;
    }

    // With blocked convolutions on, the layout oneDNN's own kernels on this CPU give activations at
    // the current precision (kernels_layout) where the output can be stored in it; nchw otherwise.
    static jhr::layout conv2d_output_layout(const conv2d_geometry& g) {
        if (layout().load() != convolution_layout::blocked) return jhr::layout::nchw;
        const jhr::layout l = kernels_layout(bf16());
        return fits(l, g.out_channels) ? l : jhr::layout::nchw;
    }

    // Whether oneDNN implements bf16 convolutions on this CPU (AVX-512 and newer).
    static bool bf16_available() {
        static const bool value = [] {
            try {
                (void)forward_pd(probe, false, dnnl::algorithm::convolution_direct, true);
                return true;
            } catch (const dnnl::error& e) {
                if (e.status != dnnl_unimplemented) throw;
                return false;
            }
        }();
        return value;
    }

    static void conv2d_forward(const conv2d_geometry& g, const float* x, const float* w, const float* b,
                               float* y) {
        if (g.output().size() == 0) return;
        onednn_detail::guarded("conv2d_forward", g, [&] {
            auto& entry = onednn_detail::lookup(key(forward, g, b != nullptr), [&] {
                const auto pd = forward_pd(g, b != nullptr);
                onednn_detail::primitive_builder build;
                build.argument(DNNL_ARG_SRC, src_md(g, src_tag(g)), pd.src_desc(), true);
                build.argument(DNNL_ARG_WEIGHTS, weights_md(g, tag::oihw), pd.weights_desc(), true);
                if (b) build.argument(DNNL_ARG_BIAS, bias_md(g), pd.bias_desc(), true);
                build.argument(DNNL_ARG_DST, dst_md(g, dst_tag(g)), pd.dst_desc(), false);
                return build.finish(dnnl::convolution_forward(pd), pd.scratchpad_desc());
            });
            onednn_detail::run(
                entry, {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_BIAS, b}, {DNNL_ARG_DST, y}});
        });
    }

    static void conv2d_backward_data(const conv2d_geometry& g, const float* w, const float* dy, float* dx) {
        if (g.input().size() == 0) return;
        onednn_detail::guarded("conv2d_backward_data", g, [&] {
            auto& entry = onednn_detail::lookup(key(backward_data, g, false), [&] {
                const auto hint = forward_pd(g, false);
                const auto pd = backward_data_pd(g, hint);
                onednn_detail::primitive_builder build;
                build.argument(DNNL_ARG_WEIGHTS, weights_md(g, tag::oihw), pd.weights_desc(), true);
                build.argument(DNNL_ARG_DIFF_DST, dst_md(g, dst_tag(g)), pd.diff_dst_desc(), true);
                build.argument(DNNL_ARG_DIFF_SRC, src_md(g, src_tag(g)), pd.diff_src_desc(), false);
                return build.finish(dnnl::convolution_backward_data(pd), pd.scratchpad_desc());
            });
            onednn_detail::run(entry,
                               {{DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_SRC, dx}});
        });
    }

    static void conv2d_backward_weights(const conv2d_geometry& g, const float* x, const float* dy, float* dw,
                                        float* db) {
        if (g.weight().size() == 0) return;
        onednn_detail::guarded("conv2d_backward_weights", g, [&] {
            auto& entry = onednn_detail::lookup(key(backward_weights, g, db != nullptr), [&] {
                const auto hint = forward_pd(g, db != nullptr);
                const auto pd = backward_weights_pd(g, db != nullptr, hint);
                onednn_detail::primitive_builder build;
                build.argument(DNNL_ARG_SRC, src_md(g, src_tag(g)), pd.src_desc(), true);
                build.argument(DNNL_ARG_DIFF_DST, dst_md(g, dst_tag(g)), pd.diff_dst_desc(), true);
                build.argument(DNNL_ARG_DIFF_WEIGHTS, weights_md(g, tag::oihw), pd.diff_weights_desc(),
                               false);
                if (db) build.argument(DNNL_ARG_DIFF_BIAS, bias_md(g), pd.diff_bias_desc(), false);
                return build.finish(dnnl::convolution_backward_weights(pd), pd.scratchpad_desc());
            });
            onednn_detail::run(entry, {{DNNL_ARG_SRC, x},
                                       {DNNL_ARG_DIFF_DST, dy},
                                       {DNNL_ARG_DIFF_WEIGHTS, dw},
                                       {DNNL_ARG_DIFF_BIAS, db}});
        });
    }

private:
    enum kind { forward = 100, backward_data, backward_weights };
    using md = dnnl::memory::desc;
    using tag = onednn_detail::tag;

    static bool bf16() { return onednn_precision::precision() == precision::bf16; }

    static onednn_detail::cache_key key(kind k, const conv2d_geometry& g, bool bias) {
        const int layouts =
            ((int(bf16()) * 2 + int(layout().load())) * 3 + int(g.src_layout)) * 3 + int(g.dst_layout);
        return {k,
                {g.batch, g.in_channels, g.in_height, g.in_width, g.out_channels, g.kernel, g.stride, g.pad,
                 bias, layouts, int(algorithm().load())}};
    }

    static tag src_tag(const conv2d_geometry& g) { return onednn_detail::tag_of(g.src_layout); }
    static tag dst_tag(const conv2d_geometry& g) { return onednn_detail::tag_of(g.dst_layout); }

    // A 16-channel convolution the layout probes ask oneDNN about.
    static constexpr conv2d_geometry probe{1, 16, 8, 8, 16, 3, 1, 1};

    // The layout oneDNN, free to choose, gives the probe's activations at fp32 (low false) or bf16,
    // when it is the one the layers carry at that precision (nChw16c at fp32 with AVX-512, nhwc at
    // bf16 with AMX); nchw otherwise. Asked once per precision.
    static jhr::layout kernels_layout(bool low) {
        const auto ask = [low] {
            const jhr::layout l = low ? jhr::layout::nhwc : jhr::layout::nchw16c;
            const auto pd = forward_pd(probe, false, dnnl::algorithm::convolution_direct, low);
            const bool chosen = pd.dst_desc() == dst_md(probe, onednn_detail::tag_of(l)) &&
                                pd.src_desc() == src_md(probe, onednn_detail::tag_of(l), low);
            return chosen ? l : jhr::layout::nchw;
        };
        if (low) {
            static const jhr::layout at_bf16 = ask();
            return at_bf16;
        }
        static const jhr::layout at_fp32 = ask();
        return at_fp32;
    }

    // The data type of the arguments bf16 precision narrows: source, weights, output gradient (the
    // descriptors below are fp32 unless `low`).
    static dnnl::memory::data_type narrow(bool low) {
        return low ? dnnl::memory::data_type::bf16 : dnnl::memory::data_type::f32;
    }

    static md src_md(const conv2d_geometry& g, tag t, bool low = false) {
        return {{g.batch, g.in_channels, g.in_height, g.in_width}, narrow(low), t};
    }
    static md dst_md(const conv2d_geometry& g, tag t, bool low = false) {
        return {{g.batch, g.out_channels, g.out_height(), g.out_width()}, narrow(low), t};
    }
    static md weights_md(const conv2d_geometry& g, tag t, bool low = false) {
        return {{g.out_channels, g.in_channels, g.kernel, g.kernel}, narrow(low), t};
    }
    static md bias_md(const conv2d_geometry& g) { return onednn_detail::plain({g.out_channels}, tag::a); }
    // The layout a primitive is created with: the caller's, or format_tag::any when blocked.
    static tag pick(tag caller) { return layout().load() == convolution_layout::plain ? caller : tag::any; }

    static dnnl::convolution_forward::primitive_desc forward_pd(const conv2d_geometry& g, bool bias) {
        return preferred(g, [&](dnnl::algorithm algo) { return forward_pd(g, bias, algo, bf16()); });
    }
    static dnnl::convolution_backward_data::primitive_desc
    backward_data_pd(const conv2d_geometry& g, const dnnl::convolution_forward::primitive_desc& hint) {
        return preferred(g, [&](dnnl::algorithm algo) { return backward_data_pd(g, hint, algo); });
    }
    static dnnl::convolution_backward_weights::primitive_desc
    backward_weights_pd(const conv2d_geometry& g, bool bias,
                        const dnnl::convolution_forward::primitive_desc& hint) {
        return preferred(g, [&](dnnl::algorithm algo) { return backward_weights_pd(g, bias, hint, algo); });
    }

    // 3x3 stride 1 with at least 16 input channels and 64 output pixels per image: on the paper's
    // layers Winograd took 0.3-0.7x direct's time there, and 1.5-5x on 3-channel input or 5x4 outputs.
    static bool winograd_pays(const conv2d_geometry& g) {
        return g.kernel == 3 && g.stride == 1 && g.in_channels >= 16 && g.out_height() * g.out_width() >= 64;
    }

    // make(algorithm) with Winograd when it is preferred and oneDNN implements it for g, else direct.
    template <class Make>
    static std::invoke_result_t<Make&, dnnl::algorithm> preferred(const conv2d_geometry& g, Make&& make) {
        const bool winograd = algorithm().load() == convolution_algorithm::winograd &&
                              layout().load() == convolution_layout::blocked && !bf16() && winograd_pays(g);
        if (winograd) {
            try {
                return make(dnnl::algorithm::convolution_winograd);
            } catch (const dnnl::error& e) {
                if (e.status != dnnl_unimplemented) throw;
            }
        }
        return make(dnnl::algorithm::convolution_direct);
    }

    static dnnl::convolution_forward::primitive_desc forward_pd(const conv2d_geometry& g, bool bias,
                                                                dnnl::algorithm algo, bool low) {
        const onednn_detail::dims strides{g.stride, g.stride}, padding{g.pad, g.pad};
        const auto src = src_md(g, pick(src_tag(g)), low), weights = weights_md(g, pick(tag::oihw), low),
                   dst = dst_md(g, pick(dst_tag(g)));
        const auto prop = dnnl::prop_kind::forward_training;
#if DNNL_VERSION_MAJOR >= 3
        if (bias)
            return {onednn_detail::engine(),
                    prop,
                    algo,
                    src,
                    weights,
                    bias_md(g),
                    dst,
                    strides,
                    padding,
                    padding,
                    onednn_detail::user_scratchpad()};
        return {onednn_detail::engine(),         prop, algo, src, weights, dst, strides, padding, padding,
                onednn_detail::user_scratchpad()};
#else
        const auto desc =
            bias ? dnnl::convolution_forward::desc(prop, algo, src, weights, bias_md(g), dst, strides,
                                                   padding, padding)
                 : dnnl::convolution_forward::desc(prop, algo, src, weights, dst, strides, padding, padding);
        return {desc, onednn_detail::user_scratchpad(), onednn_detail::engine()};
#endif
    }

    static dnnl::convolution_backward_data::primitive_desc
    backward_data_pd(const conv2d_geometry& g, const dnnl::convolution_forward::primitive_desc& hint,
                     dnnl::algorithm algo) {
        const onednn_detail::dims strides{g.stride, g.stride}, padding{g.pad, g.pad};
        const auto dx = src_md(g, pick(src_tag(g))), weights = weights_md(g, pick(tag::oihw), bf16()),
                   dy = dst_md(g, pick(dst_tag(g)), bf16());
#if DNNL_VERSION_MAJOR >= 3
        return {onednn_detail::engine(),         algo, dx, weights, dy, strides, padding, padding, hint,
                onednn_detail::user_scratchpad()};
#else
        const dnnl::convolution_backward_data::desc desc(algo, dx, weights, dy, strides, padding, padding);
        return {desc, onednn_detail::user_scratchpad(), onednn_detail::engine(), hint};
#endif
    }

    static dnnl::convolution_backward_weights::primitive_desc
    backward_weights_pd(const conv2d_geometry& g, bool bias,
                        const dnnl::convolution_forward::primitive_desc& hint, dnnl::algorithm algo) {
        const onednn_detail::dims strides{g.stride, g.stride}, padding{g.pad, g.pad};
        const auto x = src_md(g, pick(src_tag(g)), bf16()), dw = weights_md(g, pick(tag::oihw)),
                   dy = dst_md(g, pick(dst_tag(g)), bf16());
#if DNNL_VERSION_MAJOR >= 3
        if (bias)
            return {
                onednn_detail::engine(),         algo, x, dw, bias_md(g), dy, strides, padding, padding, hint,
                onednn_detail::user_scratchpad()};
        return {onednn_detail::engine(),         algo, x, dw, dy, strides, padding, padding, hint,
                onednn_detail::user_scratchpad()};
#else
        const auto desc =
            bias ? dnnl::convolution_backward_weights::desc(algo, x, dw, bias_md(g), dy, strides, padding,
                                                            padding)
                 : dnnl::convolution_backward_weights::desc(algo, x, dw, dy, strides, padding, padding);
        return {desc, onednn_detail::user_scratchpad(), onednn_detail::engine(), hint};
#endif
    }
};

} // namespace jhr::backends
