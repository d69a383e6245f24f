#pragma once
// Instants as ISO 8601 UTC text, "2262-04-11T23:47:16.854775Z", written by one constexpr routine
// into a character buffer: error messages print stored times with it (at run time, and the range a
// time_point holds at compile time), sync payloads carry time points in it. Dates by Howard
// Hinnant's civil-calendar algorithms rather than <chrono>'s calendar types, whose header (with
// <sstream> and the time-zone machinery) would cost every file that includes syncorm.

#include <cstdint>

#include "static_text.hpp"

namespace syncorm::detail {

/// Days since 1970-01-01 of the proleptic Gregorian date y-m-d.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

/// The date `days` after 1970-01-01.
struct civil_date {
  std::int64_t year;
  unsigned month;
  unsigned day;
};
constexpr civil_date civil_from_days(std::int64_t days) noexcept {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

inline constexpr std::int64_t microseconds_per_day = 86'400'000'000;

/// Whether the fraction of a second is written only when it is not zero (messages) or always, as
/// six digits (sync payloads: one fixed shape for every reader).
enum class iso_fraction : bool { when_not_zero, always };

/// Appends the instant `microseconds_of_day` (0 to one day) into day `days` (since 1970-01-01) to
/// `out` (anything with `+= char`). Years below 1000 are padded to four digits, years before 1 BCE
/// are signed; valid for every day a 64-bit microsecond count reaches and far beyond.
template <class Text>
constexpr void append_iso_8601(Text& out, std::int64_t days, std::int64_t microseconds_of_day, iso_fraction fraction) {
  const civil_date date = civil_from_days(days);
  auto digits = [&out](std::uint64_t value, int width) { append_decimal(out, value, width); };
  if (date.year < 0) out += '-';
  digits(date.year < 0 ? static_cast<std::uint64_t>(-date.year) : static_cast<std::uint64_t>(date.year), 4);
  out += '-';
  digits(date.month, 2);
  out += '-';
  digits(date.day, 2);
  out += 'T';
  const auto of_day = static_cast<std::uint64_t>(microseconds_of_day);
  digits(of_day / 3'600'000'000, 2);
  out += ':';
  digits(of_day / 60'000'000 % 60, 2);
  out += ':';
  digits(of_day / 1'000'000 % 60, 2);
  if (fraction == iso_fraction::always || of_day % 1'000'000 != 0) {
    out += '.';
    digits(of_day % 1'000'000, 6);
  }
  out += 'Z';
}

/// Appends the instant `microseconds` after 1970-01-01T00:00:00Z (see above).
template <class Text>
constexpr void append_iso_8601(Text& out, std::int64_t microseconds, iso_fraction fraction) {
  std::int64_t days = microseconds / microseconds_per_day;
  std::int64_t rest = microseconds % microseconds_per_day;
  if (rest < 0) {  // floor, for instants before 1970
    days -= 1;
    rest += microseconds_per_day;
  }
  append_iso_8601(out, days, rest, fraction);
}

/// Room for the longest text append_iso_8601 writes (a signed 17-digit year with the fraction).
inline constexpr int iso_8601_capacity = 48;

}  // namespace syncorm::detail
