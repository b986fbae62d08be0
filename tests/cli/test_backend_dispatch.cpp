// Tests for tools/jhr/backend_dispatch.hpp: the run-time backend choice and its errors.
#include "backend_dispatch.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

struct name_of {
    template <class B>
    std::string operator()() const {
        return std::string(B::name);
    }
};

std::string error_of(const std::string& backend) {
    try {
        jhr::cli::with_backend(backend, name_of{});
    } catch (const jhr::backend_error& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("with_backend instantiates the named backend") {
    CHECK(jhr::cli::with_backend("reference", name_of{}) == "reference");
#if defined(JHR_HAVE_ONEDNN)
    CHECK(jhr::cli::with_backend("onednn", name_of{}) == "onednn");
    CHECK(jhr::cli::default_backend() == "onednn");
#else
    CHECK(jhr::cli::default_backend() == "reference");
#endif
    const int value = jhr::cli::with_backend("reference", []<class B>() { return int(B::name.size()); });
    CHECK(value == 9);
}

TEST_CASE("with_backend lists the built backends for an unknown name") {
    const std::string message = error_of("tpu");
    CHECK(message.find("'tpu' is unknown") != std::string::npos);
    CHECK(message.find(jhr::cli::built_backends_list()) != std::string::npos);
    CHECK(message.find("reference") != std::string::npos);
}

TEST_CASE("a known backend left out of the build, or CUDA without a GPU, is a clear error") {
#if !defined(JHR_HAVE_CUDA)
    CHECK(error_of("cuda").find("'cuda' is not built") != std::string::npos);
#else
    if (!jhr::cuda::available()) {
        const std::string message = error_of("cuda");
        CHECK(message.find("no usable CUDA device") != std::string::npos);
        CHECK(message.substr(message.find("choose one of:")).find("cuda") == std::string::npos);
    }
#endif
#if !defined(JHR_HAVE_ONEDNN)
    CHECK(error_of("onednn").find("'onednn' is not built") != std::string::npos);
#endif
}
