// The backends every typed test runs on: TEST_CASE_TEMPLATE("...", B, JHR_TEST_BACKENDS).
#pragma once

#include "jhr/backends/reference.hpp"
#if defined(JHR_HAVE_ONEDNN)
#include "jhr/backends/onednn.hpp"
#define JHR_TEST_BACKENDS jhr::reference, jhr::onednn
#else
#define JHR_TEST_BACKENDS jhr::reference
#endif
