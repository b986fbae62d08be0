# Finds oneDNN as DNNL::dnnl and sets dnnl_FOUND.
# Debian's dnnl package config requires the OpenCL headers (its GPU runtime) even for CPU use;
# without them, import the library and headers directly.
find_package(OpenCL QUIET)
if(OpenCL_FOUND)
  find_package(dnnl QUIET)
else()
  find_library(JHR_DNNL_LIBRARY dnnl)
  find_path(JHR_DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp)
  if(JHR_DNNL_LIBRARY AND JHR_DNNL_INCLUDE_DIR)
    add_library(DNNL::dnnl SHARED IMPORTED GLOBAL)
    set_target_properties(DNNL::dnnl PROPERTIES IMPORTED_LOCATION ${JHR_DNNL_LIBRARY}
                                                INTERFACE_INCLUDE_DIRECTORIES ${JHR_DNNL_INCLUDE_DIR})
    set(dnnl_FOUND TRUE)
  endif()
endif()
