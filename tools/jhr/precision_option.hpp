// jhr/tools/precision_option.hpp: --precision fp32|tf32 for the subcommands that compute (bench,
// train). fp32 is the default and every backend's arithmetic; tf32 lets the CUDA backend's
// convolutions and GEMMs use TF32 tensor cores (backends/cuda/include/jhr/backends/cuda/precision.hpp)
// and is refused, as a usage error, with any other backend.
#pragma once

#include "backend_dispatch.hpp"

#include <CLI/CLI.hpp>

#include <string>

namespace jhr::cli {

inline CLI::Option* add_precision_option(CLI::App* cmd, std::string& precision) {
    precision = "fp32";
    return cmd
        ->add_option("--precision", precision,
                     "arithmetic of convolutions and GEMMs: fp32, or tf32 (TF32 tensor cores; --backend cuda "
                     "only)")
        ->check(CLI::IsMember({"fp32", "tf32"}))
        ->capture_default_str();
}

// Refuses a precision the backend does not have, before any work (exit code 2).
inline void check_precision(const std::string& backend, const std::string& precision) {
    if (precision != "fp32" && backend != "cuda")
        throw CLI::ValidationError("--precision", precision + " needs --backend cuda; backend '" + backend +
                                                      "' computes in fp32 only");
}

// Sets backend B's precision (after check_precision).
template <class B>
void apply_precision([[maybe_unused]] const std::string& precision) {
#if defined(JHR_HAVE_CUDA)
    if constexpr (std::same_as<B, jhr::cuda>)
        B::set_precision(backends::cuda_precision_from_name(precision).value());
#endif
}

} // namespace jhr::cli
