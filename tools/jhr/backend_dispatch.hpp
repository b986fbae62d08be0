// jhr/tools/backend_dispatch.hpp: choosing a compiled-in backend by name at run time.
//
// with_backend(name, f) calls f.template operator()<B>() for the backend type B named "reference",
// "onednn" or "cuda" and returns its result; no layer is virtual, the program instantiates its
// templates once per built backend. A backend is built when the program defines JHR_HAVE_ONEDNN /
// JHR_HAVE_CUDA (tools/CMakeLists.txt does, for each backend it links). Throws backend_error for a
// name that is not built (listing those that are), and for "cuda" when no usable GPU is present.
#pragma once

#include "jhr/backends/reference.hpp"
#include "jhr/core/error.hpp"
#if defined(JHR_HAVE_ONEDNN)
#include "jhr/backends/onednn.hpp"
#endif
#if defined(JHR_HAVE_CUDA)
#include "jhr/backends/cuda.hpp"
#endif

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jhr::cli {

// Names of the backends this program was built with, in order of preference for CPU work.
inline std::vector<std::string> built_backends() {
    std::vector<std::string> names;
#if defined(JHR_HAVE_ONEDNN)
    names.push_back("onednn");
#endif
    names.push_back("reference");
#if defined(JHR_HAVE_CUDA)
    names.push_back("cuda");
#endif
    return names;
}

// oneDNN when built, else the reference backend.
inline std::string default_backend() {
    return built_backends().front();
}

// "onednn, reference, cuda", leaving out `except`.
inline std::string built_backends_list(std::string_view except = {}) {
    std::string list;
    for (const std::string& n : built_backends())
        if (n != except) list += (list.empty() ? "" : ", ") + n;
    return list;
}

template <class F>
decltype(auto) with_backend(const std::string& name, F&& f) {
#if defined(JHR_HAVE_ONEDNN)
    if (name == "onednn") return std::forward<F>(f).template operator()<jhr::onednn>();
#endif
#if defined(JHR_HAVE_CUDA)
    if (name == "cuda") {
        if (!jhr::cuda::available())
            throw backend_error(
                "backend 'cuda' is built but no usable CUDA device was found (driver missing or "
                "no GPU); choose one of: " +
                built_backends_list("cuda"));
        return std::forward<F>(f).template operator()<jhr::cuda>();
    }
#endif
    if (name == "reference") return std::forward<F>(f).template operator()<jhr::reference>();
    const bool known = name == "reference" || name == "onednn" || name == "cuda";
    throw backend_error("backend '" + name + "' is " + (known ? "not built into this program" : "unknown") +
                        "; built backends: " + built_backends_list());
}

} // namespace jhr::cli
