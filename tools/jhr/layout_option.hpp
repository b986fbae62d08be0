// jhr/tools/layout_option.hpp: --layout automatic|nchw|nhwc for the subcommands that time or train
// (bench, train): the CUDA backend's activation layout (jhr/backends/cuda/layout.hpp). automatic,
// the default, is nhwc_bf16 (bfloat16 activations) at bf16 and nchw at fp32 and tf32; nchw and nhwc
// keep fp32 activations at every precision; another choice on another backend is a usage error.
#pragma once

#include "jhr/core/backend.hpp"

#include <CLI/CLI.hpp>

#include <string>

#if defined(JHR_HAVE_CUDA)
#include "jhr/backends/cuda.hpp"
#endif

namespace jhr::cli {

inline CLI::Option* add_layout_option(CLI::App* cmd, std::string& layout) {
    layout = "automatic";
    return cmd
        ->add_option(
            "--layout", layout,
            "activation layout of --backend cuda: automatic (bfloat16 nhwc at bf16, nchw at fp32 and "
            "tf32), nchw or nhwc (fp32 activations)")
        ->check(CLI::IsMember({"automatic", "nchw", "nhwc"}))
        ->capture_default_str();
}

// Sets backend B's activation layout, refusing a choice on a backend without one (exit code 2).
template <class B>
void apply_layout(const std::string& text) {
#if defined(JHR_HAVE_CUDA)
    if constexpr (std::same_as<B, jhr::cuda>) {
        using choice = backends::cuda_activation_layout;
        B::set_activation_layout(text == "nchw"   ? choice::nchw
                                 : text == "nhwc" ? choice::nhwc
                                                  : choice::automatic);
        return;
    }
#endif
    if (text != "automatic")
        throw CLI::ValidationError("--layout",
                                   text + " needs --backend cuda, not '" + std::string(B::name) + "'");
}

} // namespace jhr::cli
