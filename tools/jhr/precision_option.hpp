// jhr/tools/precision_option.hpp: --precision fp32|tf32|bf16 for the subcommands that compute
// (train, bench, eval, embed, verify, hallucinate). fp32 is the default and every backend's arithmetic; the
// others are the convolution (and GEMM) precisions a backend may select (core/precision.hpp): tf32 on CUDA,
// bf16 on CUDA and on oneDNN where the CPU has bf16 convolutions. A precision the backend lacks is a
// usage error.
#pragma once

#include "backend_dispatch.hpp"

#include "jhr/core/precision.hpp"

#include <CLI/CLI.hpp>

#include <string>

namespace jhr::cli {

inline CLI::Option* add_precision_option(CLI::App* cmd, std::string& precision) {
    precision = "fp32";
    return cmd
        ->add_option(
            "--precision", precision,
            "arithmetic of convolutions and GEMMs: fp32, tf32 (TF32 tensor cores; --backend cuda) or "
            "bf16 (bfloat16 convolutions, fp32 weights; --backend cuda, or onednn on CPUs that have "
            "them)")
        ->check(CLI::IsMember({"fp32", "tf32", "bf16"}))
        ->capture_default_str();
}

// Sets backend B's precision, refusing one B does not compute at as a usage error (exit code 2).
template <class B>
void apply_precision(const std::string& text) {
    const jhr::precision p = precision_from_name(text).value();
    if (!computes_at<B>(p))
        throw CLI::ValidationError("--precision", text + " is not available on backend '" +
                                                      std::string(B::name) + "', which computes at " +
                                                      precisions_of<B>());
    use_precision<B>(p);
}

// f.template operator()<B>() on the backend named `backend`, after setting its precision.
template <class F>
decltype(auto) with_backend_at(const std::string& backend, const std::string& precision, F&& f) {
    return with_backend(backend, [&]<class B>() -> decltype(auto) {
        apply_precision<B>(precision);
        return f.template operator()<B>();
    });
}

} // namespace jhr::cli
