#pragma once
// The data API of a database, for things that route each statement to a database: a cluster and
// its sessions. Whether a statement reads or writes is a property of the operation, so the route is
// chosen at compile time: reads call on_read_source, everything else on_write_source, of Derived.

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace syncorm::detail {

template <class Derived>
class routed_operations {
public:
  // ---- writes: a write source ------------------------------------------------------------------

  /// INSERT one row (see the database's insert).
  template <class T>
  void insert(T& row) {
    write([&](auto& db) { db.insert(row); });
  }
  /// INSERT every row of a range, atomically.
  template <class Range>
  void insert_many(Range&& rows) {
    write([&](auto& db) { db.insert_many(std::forward<Range>(rows)); });
  }
  /// INSERT or UPDATE by primary key.
  template <class T>
  void upsert(T& row) {
    write([&](auto& db) { db.upsert(row); });
  }
  /// UPDATE by primary key.
  template <class T>
  bool update(T& row) {
    return write([&](auto& db) { return db.update(row); });
  }
  /// UPDATE ... SET ... WHERE ...
  template <class T, class... Clauses>
  std::int64_t update_where(const Clauses&... clauses) {
    return write([&](auto& db) { return db.template update_where<T>(clauses...); });
  }
  /// DELETE by primary key.
  template <class T>
  bool remove(const T& row) {
    return write([&](auto& db) { return db.remove(row); });
  }
  /// DELETE ... WHERE ...
  template <class T, class... Clauses>
  std::int64_t remove_where(const Clauses&... clauses) {
    return write([&](auto& db) { return db.template remove_where<T>(clauses...); });
  }
  /// CREATE TABLE IF NOT EXISTS, on a write source (replicas receive it by replication).
  template <class T>
  void create_table() {
    write([&](auto& db) { db.template create_table<T>(); });
  }
  /// DROP TABLE IF EXISTS, on a write source.
  template <class T>
  void drop_table() {
    write([&](auto& db) { db.template drop_table<T>(); });
  }
  /// SQL without parameters or results (DDL), on a write source.
  void execute(std::string_view sql) {
    write([&](auto& db) { db.execute(sql); });
  }
  /// Runs `body(tx)` in a transaction on one write source: every statement in it, reads included,
  /// goes there. Committed when it returns, rolled back when it throws.
  template <class Body>
  decltype(auto) transaction(Body&& body) {
    return write([&](auto& db) -> decltype(auto) { return db.transaction(std::forward<Body>(body)); });
  }

  // ---- reads: a read source ---------------------------------------------------------------------

  /// SELECT by primary key.
  template <class T, class Key>
  std::optional<T> find(const Key& key) {
    return read([&](auto& db) { return db.template find<T>(key); });
  }
  /// SELECT rows with where / order_by / limit / offset.
  template <class T, class... Clauses>
  std::vector<T> select(const Clauses&... clauses) {
    return read([&](auto& db) { return db.template select<T>(clauses...); });
  }
  /// The first row by the given order.
  template <class T, class... Clauses>
  std::optional<T> first(const Clauses&... clauses) {
    return read([&](auto& db) { return db.template first<T>(clauses...); });
  }
  /// SELECT COUNT(*).
  template <class T, class... Clauses>
  std::int64_t count(const Clauses&... clauses) {
    return read([&](auto& db) { return db.template count<T>(clauses...); });
  }

private:
  template <class F>
  decltype(auto) write(F&& f) {
    return static_cast<Derived&>(*this).on_write_source(std::forward<F>(f));
  }
  template <class F>
  decltype(auto) read(F&& f) {
    return static_cast<Derived&>(*this).on_read_source(std::forward<F>(f));
  }
};

}  // namespace syncorm::detail
