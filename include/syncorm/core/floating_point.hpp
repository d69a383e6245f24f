#pragma once
// Classifying doubles without <cmath>, whose declarations of every math function cost each
// translation unit that includes syncorm more than much of the core does. GCC and clang have the
// classifications built in; other compilers get the standard functions.

#if !defined(__GNUC__)
#include <cmath>
#endif

namespace syncorm::detail {

/// std::isnan.
inline bool is_nan(double value) noexcept {
#if defined(__GNUC__)
  return __builtin_isnan(value);
#else
  return std::isnan(value);
#endif
}

/// std::isinf.
inline bool is_infinite(double value) noexcept {
#if defined(__GNUC__)
  return __builtin_isinf(value);
#else
  return std::isinf(value);
#endif
}

/// std::isfinite.
inline bool is_finite(double value) noexcept {
#if defined(__GNUC__)
  return __builtin_isfinite(value);
#else
  return std::isfinite(value);
#endif
}

}  // namespace syncorm::detail
