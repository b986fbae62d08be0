# stb (Debian's libstb-dev): the image codecs' headers <stb/stb_image.h> and the compiled libstb,
# as the target jhr_stb. Through pkg-config where it knows stb, else by find_path / find_library
# (for instance under CMAKE_PREFIX_PATH, on a machine without pkg-config).
if(NOT TARGET jhr_stb)
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(STB QUIET IMPORTED_TARGET stb)
  endif()
  add_library(jhr_stb INTERFACE IMPORTED)
  if(TARGET PkgConfig::STB)
    target_link_libraries(jhr_stb INTERFACE PkgConfig::STB)
  else()
    find_path(JHR_STB_INCLUDE_DIR stb/stb_image.h REQUIRED)
    find_library(JHR_STB_LIBRARY stb REQUIRED)
    target_include_directories(jhr_stb INTERFACE ${JHR_STB_INCLUDE_DIR})
    target_link_libraries(jhr_stb INTERFACE ${JHR_STB_LIBRARY})
  endif()
endif()
