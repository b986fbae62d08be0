// jhr/core/precision.hpp: names, the shared setting (refusal naming the backend and what it has), the
// scope, and what a backend without the capability computes at.
#include "jhr/backends/reference.hpp"
#include "jhr/core/precision.hpp"

#include <doctest/doctest.h>

using jhr::precision;

namespace {

// A backend that computes at fp32 and bf16.
struct bf16_backend : jhr::precision_setting<bf16_backend> {
    static constexpr std::string_view name = "test";
    static bool supports_precision(jhr::precision p) { return p != jhr::precision::tf32; }
};

} // namespace

TEST_CASE("precision names round-trip and nothing else parses") {
    for (const precision p : jhr::all_precisions) CHECK(jhr::precision_from_name(jhr::name(p)) == p);
    CHECK(jhr::name(precision::bf16) == "bf16");
    CHECK_FALSE(jhr::precision_from_name("FP32").has_value());
    CHECK_FALSE(jhr::precision_from_name("fp16").has_value());
    CHECK_FALSE(jhr::precision_from_name("").has_value());
}

TEST_CASE("a precision setting starts at fp32, refuses what its backend lacks, and a scope restores it") {
    static_assert(jhr::SelectablePrecision<bf16_backend>);
    CHECK(bf16_backend::precision() == precision::fp32);
    CHECK(jhr::precisions_of<bf16_backend>() == "fp32, bf16");
    {
        const jhr::precision_scope<bf16_backend> scope(precision::bf16);
        CHECK(bf16_backend::precision() == precision::bf16);
        CHECK_THROWS_WITH_AS(bf16_backend::set_precision(precision::tf32),
                             "test: precision tf32 is not available (this backend computes at fp32, bf16)",
                             jhr::backend_error);
        CHECK(bf16_backend::precision() == precision::bf16);
    }
    CHECK(bf16_backend::precision() == precision::fp32);
}

TEST_CASE("a backend without the capability computes at fp32 only") {
    static_assert(!jhr::SelectablePrecision<jhr::reference>);
    CHECK(jhr::computes_at<jhr::reference>(precision::fp32));
    CHECK_FALSE(jhr::computes_at<jhr::reference>(precision::bf16));
    CHECK(jhr::precisions_of<jhr::reference>() == "fp32");
    CHECK_NOTHROW(jhr::use_precision<jhr::reference>(precision::fp32));
    CHECK_THROWS_WITH_AS(jhr::use_precision<jhr::reference>(precision::bf16),
                         "reference: precision bf16 is not available (this backend computes at fp32)",
                         jhr::backend_error);
}
