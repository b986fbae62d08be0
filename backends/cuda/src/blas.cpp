#include "blas.hpp"

#include "jhr/core/error.hpp"

#include <dlfcn.h>

#include <string>

namespace jhr::backends::cuda_detail {
namespace {

// The soname the headers were built for first (found through the program's run path or the loader's
// search path), then the library CMake found at configure time.
void* open_library() {
    const std::string soname = "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR);
    if (void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL)) return handle;
    const std::string first_error = dlerror();
    if (void* handle = dlopen(JHR_CUBLAS_LIBRARY, RTLD_NOW | RTLD_LOCAL)) return handle;
    throw backend_error("cannot load cuBLAS: " + first_error + "; " + dlerror());
}

template <class F>
void resolve(void* library, F& entry, const char* symbol) {
    entry = reinterpret_cast<F>(dlsym(library, symbol));
    if (!entry) throw backend_error(std::string("cuBLAS has no symbol ") + symbol);
}

blas_api load() {
    void* library = open_library(); // kept open for the life of the process
    blas_api api{};
    resolve(library, api.create, "cublasCreate_v2");
    resolve(library, api.destroy, "cublasDestroy_v2");
    resolve(library, api.set_math_mode, "cublasSetMathMode");
    resolve(library, api.set_pointer_mode, "cublasSetPointerMode_v2");
    resolve(library, api.set_stream, "cublasSetStream_v2");
    resolve(library, api.set_workspace, "cublasSetWorkspace_v2");
    resolve(library, api.sgemm, "cublasSgemm_v2");
    resolve(library, api.get_property, "cublasGetProperty");
    resolve(library, api.status_name, "cublasGetStatusName");
    resolve(library, api.status_string, "cublasGetStatusString");
    return api;
}

} // namespace

const blas_api& blas() {
    static const blas_api api = load();
    return api;
}

} // namespace jhr::backends::cuda_detail
