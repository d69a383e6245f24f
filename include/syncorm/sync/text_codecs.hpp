#pragma once
// The text forms sync payloads give values JSON has no type for: time points as ISO 8601 UTC with
// microseconds, bytes as base64 (RFC 4648, with padding), and the check that a string is UTF-8
// (JSON text must be; SQLite text need not be).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../core/chrono.hpp"
#include "../core/iso_8601.hpp"
#include "../core/static_text.hpp"

namespace syncorm::detail {

// ---- UTF-8 --------------------------------------------------------------------------------------

/// Whether `text` is well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
constexpr bool is_utf8(std::string_view text) noexcept {
  std::size_t i = 0;
  const std::size_t n = text.size();
  auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
  auto continuation = [&](std::size_t at) { return at < n && (byte(at) & 0xC0) == 0x80; };
  while (i < n) {
    const unsigned char lead = byte(i);
    if (lead < 0x80) {
      ++i;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      if (!continuation(i + 1)) return false;
      i += 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      if (!continuation(i + 1) || !continuation(i + 2)) return false;
      const unsigned char second = byte(i + 1);
      if (lead == 0xE0 && second < 0xA0) return false;   // overlong
      if (lead == 0xED && second >= 0xA0) return false;  // UTF-16 surrogate
      i += 3;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      if (!continuation(i + 1) || !continuation(i + 2) || !continuation(i + 3)) return false;
      const unsigned char second = byte(i + 1);
      if (lead == 0xF0 && second < 0x90) return false;   // overlong
      if (lead == 0xF4 && second >= 0x90) return false;  // above U+10FFFF
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

// ---- base64 -------------------------------------------------------------------------------------

inline constexpr std::string_view base64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with '=' padding.
inline std::string to_base64(std::span<const std::byte> bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto group = (std::to_integer<std::uint32_t>(bytes[i]) << 16) |
                       (std::to_integer<std::uint32_t>(bytes[i + 1]) << 8) | std::to_integer<std::uint32_t>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += base64_alphabet[(group >> shift) & 0x3F];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t group = std::to_integer<std::uint32_t>(bytes[i]) << 16;
    if (rest == 2) group |= std::to_integer<std::uint32_t>(bytes[i + 1]) << 8;
    out += base64_alphabet[(group >> 18) & 0x3F];
    out += base64_alphabet[(group >> 12) & 0x3F];
    out += rest == 2 ? base64_alphabet[(group >> 6) & 0x3F] : '=';
    out += '=';
  }
  return out;
}

constexpr int base64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/// Decodes standard padded base64; nullopt if `text` is not exactly that (wrong length, a foreign
/// character, padding anywhere but at the end, or stray bits in the last group).
inline std::optional<std::vector<std::byte>> from_base64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::vector<std::byte> out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const int padding = last ? (text[i + 3] == '=') + (text[i + 2] == '=') : 0;
    if (padding == 1 && text[i + 2] == '=') return std::nullopt;  // "x=y=" is not padding
    std::uint32_t group = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + static_cast<std::size_t>(k)];
      const int value = k >= 4 - padding ? 0 : base64_value(c);
      if (value < 0) return std::nullopt;
      group = (group << 6) | static_cast<std::uint32_t>(value);
    }
    out.push_back(static_cast<std::byte>(group >> 16));
    if (padding < 2) out.push_back(static_cast<std::byte>((group >> 8) & 0xFF));
    else if ((group & 0xFFFF) != 0) return std::nullopt;
    if (padding < 1) out.push_back(static_cast<std::byte>(group & 0xFF));
    else if ((group & 0xFF) != 0) return std::nullopt;
  }
  return out;
}

// ---- ISO 8601 time points (core/iso_8601.hpp writes them) ---------------------------------------

/// "2026-11-23T15:41:31.123456Z": UTC, always six fractional digits (floored to the microsecond).
inline std::string to_iso8601(std::chrono::sys_time<std::chrono::microseconds> t) {
  char text[iso_8601_capacity];
  text_writer out{text};
  append_iso_8601(out, t.time_since_epoch().count(), iso_fraction::always);
  return std::string(text, out.length);
}

/// Parses what to_iso8601 writes, also accepting 0 to 9 fractional digits (truncated to the
/// microsecond) and a "+00:00" suffix for Z; nullopt for anything else, including impossible dates.
inline std::optional<std::chrono::sys_time<std::chrono::microseconds>> from_iso8601(std::string_view text) {
  std::size_t at = 0;
  auto number = [&](std::size_t width, int& out) {
    if (at + width > text.size()) return false;
    int value = 0;
    for (std::size_t k = 0; k < width; ++k) {
      const char c = text[at + k];
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    out = value;
    at += width;
    return true;
  };
  auto literal = [&](char c) {
    if (at >= text.size() || text[at] != c) return false;
    ++at;
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!number(4, y) || !literal('-') || !number(2, mo) || !literal('-') || !number(2, d) || !literal('T') ||
      !number(2, h) || !literal(':') || !number(2, mi) || !literal(':') || !number(2, s))
    return std::nullopt;
  long long micros = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    int count = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (count < 6) micros = micros * 10 + (text[at] - '0');
      ++count;
      ++at;
    }
    if (count == 0 || count > 9) return std::nullopt;
    for (; count < 6; ++count) micros *= 10;
  }
  const std::string_view zone = text.substr(at);
  if (zone != "Z" && zone != "+00:00") return std::nullopt;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > month_days[mo - 1] + (mo == 2 && leap ? 1 : 0) || h > 23 || mi > 59 ||
      s > 59)
    return std::nullopt;
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return std::chrono::sys_time<std::chrono::microseconds>{
      std::chrono::microseconds{((days * 24 + h) * 60 + mi) * 60'000'000 + s * 1'000'000LL + micros}};
}

}  // namespace syncorm::detail
