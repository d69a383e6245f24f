#pragma once
// PostgreSQL WAL positions, for the wal_position read-your-writes policy: where a primary's WAL
// stands after a session's commit, and how far a replica has replayed it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "../core/row_io.hpp"
#include "../core/session.hpp"
#include "../core/statements.hpp"

namespace syncorm::detail {

/// SELECT pg_current_wal_insert_lsn() as text: where the primary's WAL ends now. The insert
/// position, not pg_current_wal_lsn() (the write position): with synchronous_commit off, a commit
/// just made can sit in WAL buffers beyond the write position, and a replica that replayed up to
/// that would not have it.
struct current_wal_position_shape {
  static constexpr std::string_view table = {};
  static constexpr bool read_only = true;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) { w << "SELECT CAST(pg_current_wal_insert_lsn() AS TEXT)"; }
};

/// SELECT pg_last_wal_replay_lsn() as text: how far a replica has replayed (NULL on a primary).
struct replayed_wal_position_shape {
  static constexpr std::string_view table = {};
  static constexpr bool read_only = true;
  template <class Dialect, class Writer>
  static constexpr void render(Writer& w) { w << "SELECT CAST(pg_last_wal_replay_lsn() AS TEXT)"; }
};

/// "16/B374D848" -> 0x16B374D848; nullopt for anything else.
constexpr std::optional<std::uint64_t> parse_wal_position(std::string_view text) noexcept {
  std::uint64_t high = 0, low = 0;
  bool in_low = false;
  int digits = 0;
  for (const char c : text) {
    if (c == '/' && !in_low && digits > 0) {
      in_low = true;
      digits = 0;
      continue;
    }
    int value = -1;
    if (c >= '0' && c <= '9') value = c - '0';
    else if (c >= 'A' && c <= 'F') value = c - 'A' + 10;
    else if (c >= 'a' && c <= 'f') value = c - 'a' + 10;
    if (value < 0 || ++digits > 8) return std::nullopt;
    std::uint64_t& part = in_low ? low : high;
    part = part * 16 + static_cast<std::uint64_t>(value);
  }
  if (!in_low || digits == 0) return std::nullopt;
  return (high << 32) | low;
}

/// Runs a WAL position query on `db`; nullopt when it returns NULL (a replica asked about its
/// primary's WAL, or a primary about replay).
template <class Shape, class Database>
std::optional<std::uint64_t> wal_position_of(Database& db) {
  using statement = compiled<Shape, dialect_of<Database>>;
  const std::optional<std::string> text = session_access::run<statement>(db, [](auto& q) {
    std::optional<std::string> value;
    if (q.next()) read_field(q, 0, value, "pg_wal", "position");
    return value;
  });
  if (!text) return std::nullopt;
  const auto position = parse_wal_position(*text);
  if (!position) throw error("syncorm: PostgreSQL gave a WAL position syncorm cannot read: " + *text);
  return position;
}

}  // namespace syncorm::detail
