// jhr/core/precision.hpp: the arithmetic of a backend's convolutions and GEMMs, one process-wide
// setting per backend (the optional SelectablePrecision capability). Weights, activations and
// gradients stay fp32 in memory at every precision, so the weights are fp32 master weights.
//
// fp32: fp32 products; every backend's default and the only precision of the others.
// tf32: products of inputs rounded to TF32 (10-bit mantissa) on tensor cores, fp32 accumulation.
// bf16: products of inputs rounded to bfloat16 (7-bit mantissa), fp32 accumulation; outputs fp32,
//       or rounded to bfloat16 where the backend's library writes only that (cuDNN: CUDA backend).
//       bfloat16 keeps fp32's exponent range, so gradients need no loss scaling.
#pragma once

#include "jhr/core/error.hpp"

#include <array>
#include <atomic>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jhr {

enum class precision : std::uint8_t { fp32, tf32, bf16 };

inline constexpr std::array<precision, 3> all_precisions{precision::fp32, precision::tf32, precision::bf16};

constexpr std::string_view name(precision p) {
    return p == precision::fp32 ? "fp32" : p == precision::tf32 ? "tf32" : "bf16";
}

// "fp32", "tf32" or "bf16"; nullopt for anything else.
constexpr std::optional<precision> precision_from_name(std::string_view text) {
    for (const precision p : all_precisions)
        if (name(p) == text) return p;
    return std::nullopt;
}

// Optional: a backend that computes at more than fp32. set_precision throws backend_error for a
// precision supports_precision denies; the setting applies to calls made after it.
template <class B>
concept SelectablePrecision = requires(precision p) {
    { B::supports_precision(p) } -> std::same_as<bool>;
    B::set_precision(p);
    { B::precision() } -> std::same_as<precision>;
};

// Whether backend B computes at p (fp32 everywhere; others where B selects and supports them).
template <class B>
bool computes_at(precision p) {
    if constexpr (SelectablePrecision<B>)
        return B::supports_precision(p);
    else
        return p == precision::fp32;
}

// "fp32, bf16": the precisions backend B computes at.
template <class B>
std::string precisions_of() {
    std::string list;
    for (const precision p : all_precisions)
        if (computes_at<B>(p)) list.append(list.empty() ? "" : ", ").append(name(p));
    return list;
}

// backend_error "<B::name>: precision <p> is not available (this backend computes at <list>)".
template <class B>
backend_error precision_unavailable(precision p) {
    return backend_error(std::string(B::name) + ": precision " + std::string(name(p)) +
                         " is not available (this backend computes at " + precisions_of<B>() + ")");
}

// The setting a backend inherits: Self names the backend (Self::name) and says what it supports
// (Self::supports_precision).
template <class Self>
struct precision_setting {
    static void set_precision(jhr::precision p) {
        if (!Self::supports_precision(p)) throw precision_unavailable<Self>(p);
        value().store(p);
    }
    static jhr::precision precision() noexcept { return value().load(); }

private:
    static std::atomic<jhr::precision>& value() noexcept {
        static std::atomic<jhr::precision> setting{jhr::precision::fp32};
        return setting;
    }
};

// Sets backend B's precision, on any backend: one without SelectablePrecision computes at fp32
// only. Throws precision_unavailable for a precision B does not compute at.
template <class B>
void use_precision(precision p) {
    if constexpr (SelectablePrecision<B>)
        B::set_precision(p);
    else if (p != precision::fp32)
        throw precision_unavailable<B>(p);
}

// Sets backend B's precision until the end of the scope, then restores the previous one.
template <SelectablePrecision B>
class precision_scope {
public:
    explicit precision_scope(precision p) : previous_(B::precision()) { B::set_precision(p); }
    precision_scope(const precision_scope&) = delete;
    precision_scope& operator=(const precision_scope&) = delete;
    ~precision_scope() { B::set_precision(previous_); }

private:
    precision previous_;
};

} // namespace jhr
