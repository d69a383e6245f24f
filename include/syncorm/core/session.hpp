#pragma once
// The public operations (insert, find, select, ..., transaction), written once for every backend.
// A backend connection supplies statement execution and transaction control; everything else —
// statement shapes, binding, reading, hooks, nesting, atomicity of bulk writes — is here.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

// The range concepts insert_many takes, without the views and adaptors the rest of <ranges> holds
// (a large share of the compile time of every user's translation unit): libstdc++ keeps them
// apart in <bits/ranges_base.h>. Other standard libraries get the standard header.
#include <version>
#if defined(__GLIBCXX__) && __has_include(<bits/ranges_base.h>)
#include <bits/ranges_base.h>
#else
#include <ranges>
#endif

#include "../error.hpp"
#include "../event.hpp"
#include "../hooks.hpp"
#include "../query.hpp"
#include "../reflect.hpp"
#include "../schema.hpp"
#include "change_log.hpp"
#include "clauses.hpp"
#include "row_io.hpp"
#include "statements.hpp"
#include "written_keys.hpp"

namespace syncorm {
template <class Connection>
class basic_transaction;
}  // namespace syncorm

namespace syncorm::detail {
struct session_access;
}  // namespace syncorm::detail


namespace syncorm::detail {

/// Transaction bookkeeping every backend connection holds: the nesting depth (0: autocommit), the
/// depth at which a statement failed (0: none), the outbox rows the backend writes at COMMIT, and
/// the after_commit calls waiting for it.
struct transaction_state {
  int depth = 0;
  int failed_depth = 0;
  change_buffer changes;
  commit_queue after_commit;
  written_keys written;
};

/// What the generic layer needs from a backend connection.
template <class C>
concept backend_connection = requires(C& c, int depth, std::string_view sql) {
  requires sql_dialect<typename C::dialect>;
  { c.state() } -> std::same_as<transaction_state&>;
  c.begin();
  c.commit();
  c.rollback();
  c.savepoint(depth);
  c.release_savepoint(depth);
  c.rollback_to_savepoint(depth);
  c.execute(sql);
};

inline constexpr std::string_view failed_transaction_message =
    "syncorm: this transaction can no longer be used: an earlier operation in it threw. Let the "
    "exception leave transaction() to roll it back, or run the operation that may fail in a nested "
    "transaction() and catch the exception outside it";

/// Throws the error of an operation on a transaction that an earlier operation failed.
[[noreturn, gnu::cold, gnu::noinline]] inline void throw_failed_transaction() {
  throw_error<error>({failed_transaction_message});
}

/// BEGIN (or SAVEPOINT when nested) on construction; ROLLBACK (TO SAVEPOINT) on destruction unless
/// commit() succeeded. The outermost commit runs the queued after_commit hooks.
template <class Connection>
class transaction_scope {
public:
  explicit transaction_scope(Connection& connection) : connection_(connection) {
    transaction_state& s = connection_.state();
    if (s.failed_depth != 0) throw_failed_transaction();
    depth_ = s.depth + 1;
    if (depth_ == 1) connection_.begin();
    else connection_.savepoint(depth_);
    s.depth = depth_;
    queue_mark_ = s.after_commit.size();
    changes_mark_ = s.changes.pending.size();
    written_mark_ = s.written.pending.size();
  }
  transaction_scope(const transaction_scope&) = delete;
  transaction_scope& operator=(const transaction_scope&) = delete;

  void commit() {
    transaction_state& s = connection_.state();
    if (s.failed_depth != 0)
      throw_error<error>({"syncorm: not committed: an operation in this transaction threw earlier, so "
                          "it was rolled back"});
    if (depth_ == 1) {
      connection_.commit();  // writes the pending outbox rows first, in the same transaction
      committed_ = true;
      s.depth = 0;
      s.changes.commit_done();
      s.written.commit_done();
      s.after_commit.run_all();
    } else {
      connection_.release_savepoint(depth_);
      committed_ = true;
      s.depth = depth_ - 1;
    }
  }

  [[nodiscard]] bool committed() const noexcept { return committed_; }

  ~transaction_scope() {
    if (committed_) return;
    transaction_state& s = connection_.state();
    bool rolled_back = true;
    try {
      if (depth_ == 1) connection_.rollback();
      else connection_.rollback_to_savepoint(depth_);
    } catch (...) {
      rolled_back = false;  // the connection is gone; the enclosing levels are lost with it
    }
    s.depth = depth_ - 1;
    if (s.failed_depth >= depth_) s.failed_depth = 0;
    if (!rolled_back && s.depth > 0) s.failed_depth = 1;
    s.after_commit.truncate(queue_mark_);
    auto& pending = s.changes.pending;
    pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(changes_mark_), pending.end());
    auto& written = s.written.pending;
    written.erase(written.begin() + static_cast<std::ptrdiff_t>(written_mark_), written.end());
  }

private:
  Connection& connection_;
  int depth_ = 0;
  std::size_t queue_mark_ = 0;
  std::size_t changes_mark_ = 0;
  std::size_t written_mark_ = 0;
  bool committed_ = false;
};

/// One row as a range (for insert's way through insert_all).
template <class T>
struct single_row {
  T* row;
  T* begin() const noexcept { return row; }
  T* end() const noexcept { return row + 1; }
};

/// The ids insert_many is about to overwrite, put back if the batch fails so that a failed call
/// leaves every row as it was. Nothing to keep for a model whose key is not generated.
template <class T, bool = has_generated_key<T>>
class saved_keys {
public:
  template <class Range>
  explicit saved_keys(const Range&) noexcept {}
  template <class Range>
  void restore(Range&) const noexcept {}
};

template <class T>
class saved_keys<T, true> {
public:
  template <class Range>
  explicit saved_keys(const Range& rows) {
    for (const T& row : rows) keys_.push_back(row.id);
  }
  template <class Range>
  void restore(Range& rows) const noexcept {
    auto key = keys_.begin();
    for (T& row : rows) row.id = *key++;
  }

private:
  std::vector<primary_key_type<T>> keys_;
};

/// The operations users call, on a database or on a transaction. Not thread-safe: one connection
/// serves one thread at a time.
template <backend_connection Connection>
class session {
public:
  /// The transaction type this backend hands to transaction() callbacks and to hooks.
  using transaction_type = syncorm::basic_transaction<Connection>;

  // ---- schema ---------------------------------------------------------------------------------

  /// CREATE TABLE IF NOT EXISTS for T, with its UNIQUE constraints and indexes (and the outbox
  /// table, when T has sync_traits).
  template <class T>
    requires model<T>
  void create_table() {
    static_assert(valid_model<T>);
    guarded([&] {
      for_each_create_statement<T>([&]<class Shape>() { create_if_absent(compiled<Shape, dialect>::sql); });
      if constexpr (synced_model<T>) create_if_absent(compiled<create_outbox_shape, dialect>::sql);
    });
  }

  /// DROP TABLE IF EXISTS for T.
  template <class T>
    requires model<T>
  void drop_table() {
    static_assert(valid_model<T>);
    guarded([&] { connection_->execute(compiled<drop_table_shape<T>, dialect>::sql); });
  }

  /// Runs SQL text with no parameters and no results (DDL, pragmas). Never put values in it.
  void execute(std::string_view sql) {
    guarded([&] { connection_->execute(sql); });
  }

  // ---- writes ---------------------------------------------------------------------------------

  /// INSERT one row; a database-assigned `id` is stored into `row.id`.
  template <class T>
    requires model<T>
  void insert(T& row) {
    static_assert(valid_model<T>);
    if constexpr (needs_own_transaction<change::created, T>) {
      if (connection_->state().depth == 0) {
        if constexpr (single_statement_event<T>) {
          guarded([&] { insert_with_event(row); });
          return;
        }
        // As a one-row insert_many: if a hook or the commit fails after the statement ran, the row
        // is rolled back and its id restored.
        single_row<T> just_this_row{&row};
        insert_all(just_this_row);
        return;
      }
    }
    guarded([&] { insert_with_hooks(row); });
  }

  /// INSERT every row of a range atomically (all or none); every `id` is set. On failure nothing
  /// is written and every row, id included, is left as it was.
  template <class Range>
    requires std::ranges::forward_range<Range> && model<std::ranges::range_value_t<Range>>
  void insert_many(Range&& rows) {
    using T = std::ranges::range_value_t<Range>;
    static_assert(valid_model<T>);
    if constexpr (!std::is_same_v<std::ranges::range_reference_t<Range>, T&>) {
      static_assert(always_false<Range>, "syncorm: insert_many needs a mutable range of rows (ids are written back)");
    } else {
      insert_all(rows);
    }
  }

  /// INSERT the row, or UPDATE the row with its primary key if there is one: the id is kept as
  /// given. Runs before_validate, validate and before_save, then after_create or after_update
  /// (whichever happened) and after_save; a sync event says created or updated the same way.
  template <class T>
    requires model<T>
  void upsert(T& row) {
    static_assert(valid_model<T>);
    if constexpr (!has_primary_key<T>) {
      static_assert(has_primary_key<T>, "syncorm: upsert(row) needs a primary key: a field named `id`");
    } else {
      if constexpr (needs_own_transaction<change::created, T> || needs_own_transaction<change::updated, T>) {
        if (connection_->state().depth == 0) {
          transaction([&](transaction_type& tx) { tx.upsert(row); });
          return;
        }
      }
      guarded([&] { upsert_with_hooks(row); });
    }
  }

private:
  template <class Range>
  void insert_all(Range& rows) {
    using T = std::ranges::range_value_t<Range>;
    if (std::ranges::begin(rows) == std::ranges::end(rows)) return;
    guarded([&] {
      transaction_scope<Connection> scope{*connection_};
      const saved_keys<T> previous_keys{rows};
      try {
        // A backend may send a whole batch at once (PostgreSQL: COPY); hooks need rows one by one.
        if constexpr (!has_write_hooks<change::created, T, transaction_type> &&
                      requires { connection_->template insert_rows<T>(rows); }) {
          connection_->template insert_rows<T>(rows);
          for (const T& row : rows) {
            capture(change::created, row);
            note_written(&row);
          }
        } else {
          for (T& row : rows) insert_with_hooks(row);
        }
        scope.commit();
      } catch (...) {
        if (!scope.committed()) previous_keys.restore(rows);
        throw;
      }
    });
  }

public:

  /// UPDATE the row with `row.id` from every other field. Returns false if no row has that id.
  template <class T>
    requires model<T>
  bool update(T& row) {
    static_assert(valid_model<T>);
    if constexpr (!has_primary_key<T>) {
      static_assert(has_primary_key<T>, "syncorm: update(row) needs a primary key: a field named `id`");
      return false;
    } else {
      if constexpr (needs_own_transaction<change::updated, T>) {
        if (connection_->state().depth == 0)
          return transaction([&](transaction_type& tx) { return tx.update(row); });
      }
      return guarded([&] { return update_with_hooks(row); });
    }
  }

  /// UPDATE t SET ... WHERE ...; returns the number of rows changed. With write hooks, the rows are
  /// read first (in the same transaction) and updated one by one so every hook sees every row.
  template <class T, class... Clauses>
    requires model<T>
  std::int64_t update_where(const Clauses&... clauses) {
    static_assert(valid_model<T>);
    check_clauses<T, clause_rules{.where = true, .set = true}, Clauses...>();
    static_assert(count_clauses<is_where, Clauses...> == 1,
                  "syncorm: update_where needs a where(...) clause");
    static_assert(count_clauses<is_set, Clauses...> >= 1,
                  "syncorm: update_where needs at least one set(col<&T::m>, value)");
    if constexpr (has_write_hooks<change::updated, T, transaction_type> && !has_primary_key<T>) {
      static_assert(has_primary_key<T>,
                    "syncorm: update_where on a model with hooks needs a primary key (a field named "
                    "`id`): the hooks run row by row, and each row is updated by its key");
      return 0;
    } else if constexpr (has_write_hooks<change::updated, T, transaction_type>) {
      return for_each_locked_row<T>(get_clause<is_where>(clauses...), [&](T& row) {
        (apply_set(row, clauses), ...);
        return update_with_hooks(row);
      });
    } else {
      using statement = compiled<update_where_shape<T, synced_model<T>, clause_type<is_where, Clauses...>,
                                                    std::remove_cvref_t<Clauses>...>,
                                 dialect>;
      return bulk_write<T, statement>(change::updated, [&](auto& q) {
        (bind_set(q, clauses), ...);
        get_clause<is_where>(clauses...).condition.bind(q);
      });
    }
  }

  /// DELETE the row with `row.id`. Returns false if no row has that id.
  template <class T>
    requires model<T>
  bool remove(const T& row) {
    static_assert(valid_model<T>);
    if constexpr (!has_primary_key<T>) {
      static_assert(has_primary_key<T>, "syncorm: remove(row) needs a primary key: a field named `id`");
      return false;
    } else {
      if constexpr (needs_own_transaction<change::destroyed, T>) {
        if (connection_->state().depth == 0)
          return transaction([&](transaction_type& tx) { return tx.remove(row); });
      }
      return guarded([&] {
        if constexpr (has_write_hooks<change::destroyed, T, transaction_type>) {
          T copy = row;  // before_destroy may change the row; the caller's stays as it was
          return remove_with_hooks(copy);
        } else {
          return remove_statement(row);
        }
      });
    }
  }

  /// DELETE FROM t WHERE ...; returns the number of rows deleted. With write hooks, the rows are
  /// read first (in the same transaction) and deleted one by one so every hook sees every row.
  template <class T, class... Clauses>
    requires model<T>
  std::int64_t remove_where(const Clauses&... clauses) {
    static_assert(valid_model<T>);
    check_clauses<T, clause_rules{.where = true}, Clauses...>();
    static_assert(count_clauses<is_where, Clauses...> == 1,
                  "syncorm: remove_where needs a where(...) clause");
    if constexpr (has_write_hooks<change::destroyed, T, transaction_type> && !has_primary_key<T>) {
      static_assert(has_primary_key<T>,
                    "syncorm: remove_where on a model with hooks needs a primary key (a field named "
                    "`id`): the hooks run row by row, and each row is deleted by its key");
      return 0;
    } else if constexpr (has_write_hooks<change::destroyed, T, transaction_type>) {
      return for_each_locked_row<T>(get_clause<is_where>(clauses...),
                                    [&](T& row) { return remove_with_hooks(row); });
    } else {
      using statement =
          compiled<remove_where_shape<T, clause_type<is_where, Clauses...>, synced_model<T>>, dialect>;
      return bulk_write<T, statement>(change::destroyed,
                                      [&](auto& q) { get_clause<is_where>(clauses...).condition.bind(q); });
    }
  }

  // ---- reads ----------------------------------------------------------------------------------

  /// SELECT the row whose `id` is `key`, if any.
  template <class T, class Key>
    requires model<T>
  std::optional<T> find(const Key& key) {
    static_assert(valid_model<T>);
    if constexpr (!has_primary_key<T>) {
      static_assert(has_primary_key<T>, "syncorm: find<T>(id) needs a primary key: a field named `id`");
      return std::nullopt;
    } else {
      using key_type = primary_key_type<T>;
      if constexpr (integer_value<key_type> && !integer_value<Key>) {
        static_assert(integer_value<Key>, "syncorm: find<T>(id) takes an integer id for this model");
        return std::nullopt;
      } else if constexpr (!integer_value<key_type> && !text_like<Key>) {
        static_assert(text_like<Key>, "syncorm: find<T>(id) takes a string id for this model");
        return std::nullopt;
      } else {
        if constexpr (integer_value<key_type>) {
          if (!std::in_range<key_type>(key)) return std::nullopt;  // no row can have that id
        }
        return guarded([&] {
          auto q = connection_->template start<compiled<find_shape<T>, dialect>>();
          if constexpr (integer_value<key_type>) q.bind(to_wire(static_cast<key_type>(key)));
          else q.bind(std::string_view{key});
          return read_one<T>(q);
        });
      }
    }
  }

  /// SELECT rows of T, with optional where, order_by, limit and offset clauses.
  template <class T, class... Clauses>
    requires model<T>
  std::vector<T> select(const Clauses&... clauses) {
    static_assert(valid_model<T>);
    check_clauses<T, clause_rules{.where = true, .order_by = true, .limit = true, .offset = true},
                  Clauses...>();
    using statement = select_statement<T, count_clauses<is_limit, Clauses...> != 0 ? 1 : 0, Clauses...>;
    return guarded([&] {
      auto q = connection_->template start<statement>();
      bind_select_clauses(q, clauses...);
      return read_all<T>(q);
    });
  }

  /// The first row of T by the given order (where, order_by, offset), if any.
  template <class T, class... Clauses>
    requires model<T>
  std::optional<T> first(const Clauses&... clauses) {
    static_assert(valid_model<T>);
    check_clauses<T, clause_rules{.where = true, .order_by = true, .offset = true}, Clauses...>();
    return guarded([&] {
      auto q = connection_->template start<select_statement<T, 2, Clauses...>>();
      bind_select_clauses(q, clauses...);
      return read_one<T>(q);
    });
  }

  /// SELECT COUNT(*) of T, optionally with a where clause.
  template <class T, class... Clauses>
    requires model<T>
  std::int64_t count(const Clauses&... clauses) {
    static_assert(valid_model<T>);
    check_clauses<T, clause_rules{.where = true}, Clauses...>();
    using statement = compiled<count_shape<T, clause_type<is_where, Clauses...>>, dialect>;
    return guarded([&] {
      auto q = connection_->template start<statement>();
      bind_select_clauses(q, clauses...);
      std::int64_t n = 0;
      if (!q.next() || q.read(0, n) != read_status::value)
        throw_error<error>({"syncorm: COUNT(*) returned no value"}, table_name_v<T>);
      return n;
    });
  }

  // ---- transactions ---------------------------------------------------------------------------

  /// Runs `body(tx)` in a transaction: committed when it returns, rolled back when it throws (the
  /// exception is rethrown). Nested calls use savepoints. Returns what `body` returns.
  template <class Body>
  decltype(auto) transaction(Body&& body) {
    // A plain call rather than std::invoke, which would cost every user <functional>.
    if constexpr (!requires(transaction_type& tx) { body(tx); }) {
      static_assert(always_false<Body>, "syncorm: transaction() takes a callable with the transaction as its "
                                        "parameter, like [&](auto& tx) { tx.insert(row); }");
    } else {
      using result = decltype(body(std::declval<transaction_type&>()));
      transaction_scope<Connection> scope{*connection_};
      transaction_type tx{*connection_};
      if constexpr (std::is_void_v<result>) {
        body(tx);
        scope.commit();
      } else {
        result value = body(tx);
        scope.commit();
        return value;
      }
    }
  }

  /// Whether a transaction is open on this connection.
  [[nodiscard]] bool in_transaction() const noexcept { return connection_->state().depth > 0; }

protected:
  using dialect = typename Connection::dialect;
  friend struct session_access;

  explicit session(Connection* connection) noexcept : connection_(connection) {}
  session(const session&) = default;
  session& operator=(const session&) = default;
  ~session() = default;

  Connection& connection() const noexcept { return *connection_; }
  void rebind(Connection* connection) noexcept { connection_ = connection; }

private:
  /// Runs one operation. Inside a transaction, an operation that throws marks the transaction
  /// failed, on every backend: PostgreSQL refuses further statements after an error anyway, and one
  /// rule for both keeps code portable between them.
  ///
  /// One call of `operation` under one try: the landing pad costs nothing until something throws,
  /// and a second, unguarded call for autocommit would make every operation's code twice as long.
  template <class F>
  decltype(auto) guarded(F&& operation) {
    transaction_state& s = connection_->state();
    if (s.failed_depth != 0) [[unlikely]]
      throw_failed_transaction();
    try {
      return operation();
    } catch (...) {
      if (s.depth > 0 && s.failed_depth == 0) s.failed_depth = s.depth;
      throw;
    }
  }

  /// Whether a write of T must run inside a transaction even when the caller opened none: a hook
  /// needs one, or the write leaves outbox rows that must commit with it.
  template <change Kind, class T>
  static constexpr bool needs_own_transaction =
      write_needs_transaction<Kind, T, transaction_type> || synced_model<T>;

  /// Leaves the outbox row for one written row of a synced model; nothing for other models.
  template <class T>
  void capture(change kind, const T& row) {
    if constexpr (synced_model<T>) {
      static_assert(capture_available<T>,
                    "syncorm: this model has sync_traits, so its writes emit sync events: include "
                    "<syncorm/sync.hpp> (or <syncorm/sync_producer.hpp>) in the file that writes it");
      if constexpr (capture_available<T>) change_capture<T>::record(connection_->state().changes, kind, row);
    }
  }

  /// Tells a cache in front of the database that a row of a cached model was written (`row`
  /// null: some rows, which ones unknown); nothing for other models. Inside a transaction the key
  /// is kept for the COMMIT too; outside one the statement has committed already.
  template <class T>
  void note_written(const T* row) {
    if constexpr (cached_model<T>) {
      static_assert(written_key_sink_available<T>,
                    "syncorm: this model has cache_traits, so its writes invalidate cached rows: include "
                    "<syncorm/cache.hpp> in the file that writes it");
      static_assert(has_primary_key<T>, "syncorm: cache_traits<T> needs a primary key: a field named `id`");
      if constexpr (written_key_sink_available<T> && has_primary_key<T>) {
        std::string key;
        if (row != nullptr) key = primary_key_text{row->id}.text;
        transaction_state& s = connection_->state();
        written_key_sink<T>::deliver(key, s.depth == 0);
        if (s.depth > 0) s.written.pending.push_back({&written_key_sink<T>::deliver, std::move(key)});
      }
    }
  }

  /// Whether an insert of T outside a transaction can write its row and its outbox row in one
  /// statement (the backend offers it, and no hook needs a transaction around the two).
  template <class T>
  static constexpr bool single_statement_event =
      synced_model<T> && capture_available<T> && !write_needs_transaction<change::created, T, transaction_type> &&
      requires(Connection& c, T& row, const captured_change& event) { c.insert_with_event(row, event); };

  template <class T>
  void insert_with_event(T& row) {
    write_with_hooks<change::created>(row, [&](T& written) {
      connection_->insert_with_event(written, change_capture<T>::make(change::created, written));
      note_written(&written);
      change_capture<T>::committed();
      return true;
    });
  }

  /// One row's write: the hooks of `Kind` around `statement(row)`, then the row queued for
  /// after_commit. False when the statement matched no row; then no after-hook runs.
  template <change Kind, class T, class Statement>
  bool write_with_hooks(T& row, Statement&& statement) {
    static_assert(valid_hooks<T, transaction_type>);
    transaction_type tx{*connection_};
    write_hooks<Kind>::before::run(row, tx);
    if (!statement(row)) return false;
    write_hooks<Kind>::after::run(row, tx);
    if constexpr (has_after_commit<T>) connection_->state().after_commit.push(Kind, row);
    return true;
  }

  template <class T>
  void insert_with_hooks(T& row) {
    write_with_hooks<change::created>(row, [&](T& written) {
      insert_statement(written);
      return true;
    });
  }

  template <class T>
  void insert_statement(T& row) {
    auto q = connection_->template start<compiled<insert_shape<T>, dialect>>();
    bind_fields(q, row, inserted_fields<T>);
    if constexpr (has_generated_key<T>) {
      if constexpr (dialect::insert_returns_key) {
        if (!q.next()) throw_error<error>({"syncorm: INSERT returned no key"}, table_name_v<T>);
        read_field(q, 0, row.id, table_name_v<T>, "id");
      } else {
        q.finish();
        assign_generated_key(row, connection_->last_insert_key());
      }
    } else {
      q.finish();
    }
    capture(change::created, row);
    note_written(&row);
  }

  template <class T>
  bool update_with_hooks(T& row) {
    return write_with_hooks<change::updated>(row, [&](const T& written) { return update_statement(written); });
  }

  template <class T>
  bool update_statement(const T& row) {
    auto q = connection_->template start<compiled<update_shape<T>, dialect>>();
    bind_fields(q, row, updated_fields<T>);
    bind_key(q, row);
    if (q.finish() == 0) return false;
    capture(change::updated, row);
    note_written(&row);
    return true;
  }

  template <class T>
  bool remove_with_hooks(T& row) {
    return write_with_hooks<change::destroyed>(row, [&](const T& removed) { return remove_statement(removed); });
  }

  /// DELETE by key. A synced model's event carries the row as the database held it, which the
  /// statement returns (the caller's copy may be stale).
  template <class T>
  bool remove_statement(const T& row) {
    auto q = connection_->template start<compiled<remove_shape<T, synced_model<T>>, dialect>>();
    bind_key(q, row);
    if constexpr (synced_model<T>) {
      if (!q.next()) return false;
      T removed;
      read_row(q, removed);
      capture(change::destroyed, removed);
      note_written(&removed);
      return true;
    } else {
      if (q.finish() == 0) return false;
      note_written(&row);
      return true;
    }
  }

  /// The kinds of change after which upsert runs hooks or records anything: only then must it
  /// find out whether it inserted or updated.
  template <class T>
  static constexpr bool upsert_needs_kind =
      synced_model<T> || has_after_commit<T> ||
      write_hooks<change::created>::after::template any_present<T, transaction_type> ||
      write_hooks<change::updated>::after::template any_present<T, transaction_type>;

  using upsert_before_hooks = hook_list<before_validate_hook, validate_hook, before_save_hook>;

  template <class T>
  void upsert_with_hooks(T& row) {
    static_assert(valid_hooks<T, transaction_type>);
    transaction_type tx{*connection_};
    upsert_before_hooks::run(row, tx);
    const change kind = upsert_statement(row);
    if constexpr (upsert_needs_kind<T>) {
      if (kind == change::created) write_hooks<change::created>::after::run(row, tx);
      else write_hooks<change::updated>::after::run(row, tx);
      if constexpr (has_after_commit<T>) connection_->state().after_commit.push(kind, row);
    }
  }

  /// INSERT ... ON CONFLICT DO UPDATE; returns what it did when upsert_needs_kind<T> (else it
  /// says `updated` without asking). Where the dialect cannot say in the same statement, a lookup by
  /// key first tells, which is exact because the caller's transaction holds the write lock.
  template <class T>
  change upsert_statement(const T& row) {
    constexpr bool returns_kind = upsert_needs_kind<T> && dialect::upsert_reports_insertion;
    change kind = change::updated;
    if constexpr (upsert_needs_kind<T> && !returns_kind) {
      auto exists = connection_->template start<compiled<exists_shape<T>, dialect>>();
      bind_key(exists, row);
      kind = exists.next() ? change::updated : change::created;
    }
    auto q = connection_->template start<compiled<upsert_shape<T, returns_kind>, dialect>>();
    bind_fields(q, row, every_field);
    if constexpr (returns_kind) {
      bool inserted = false;
      if (!q.next() || q.read(0, inserted) != read_status::value)
        throw error("syncorm: upsert did not say whether it inserted", std::string(table_name_v<T>));
      kind = inserted ? change::created : change::updated;
    } else {
      q.finish();
    }
    capture(kind, row);
    note_written(&row);
    return kind;
  }

  /// update_where / remove_where as one statement. A synced model's statement returns the rows it
  /// changed, each of which becomes an event; then it must run in a transaction.
  template <class T, class Statement, class Bind>
  std::int64_t bulk_write(change kind, Bind&& bind) {
    if constexpr (synced_model<T>) {
      auto write_and_capture = [&] {
        auto q = connection_->template start<Statement>();
        bind(q);
        std::int64_t changed = 0;
        T row;
        while (q.next()) {
          read_row(q, row);
          capture(kind, row);
          note_written(&row);
          ++changed;
        }
        return changed;
      };
      return guarded([&] {
        if (connection_->state().depth > 0) return write_and_capture();
        transaction_scope<Connection> scope{*connection_};
        const std::int64_t changed = write_and_capture();
        scope.commit();
        return changed;
      });
    } else {
      return guarded([&] {
        auto q = connection_->template start<Statement>();
        bind(q);
        const std::int64_t changed = q.finish();
        note_written<T>(nullptr);  // which rows is not known: every row of T
        return changed;
      });
    }
  }

  /// The rows a where clause selects, in key order, locked for the rest of the transaction where
  /// the backend can (SELECT ... FOR UPDATE), so the per-row writes that follow see no concurrent
  /// change.
  template <class T, class Where>
  std::vector<T> locked_rows(const Where& where) {
    auto q = connection_->template start<compiled<select_shape<T, Where, absent, 0, false, true>, dialect>>();
    where.condition.bind(q);
    return read_all<T>(q);
  }

  /// Runs `write(row)` (true: the row changed) on each row the where clause selects, locked, in one
  /// transaction scope; returns how many changed. The path of bulk writes when hooks must see rows.
  template <class T, class Where, class Write>
  std::int64_t for_each_locked_row(const Where& where, Write&& write) {
    return guarded([&] {
      transaction_scope<Connection> scope{*connection_};
      std::int64_t changed = 0;
      for (T& row : locked_rows<T>(where)) changed += write(row) ? 1 : 0;
      scope.commit();
      return changed;
    });
  }

  /// Runs a CREATE ... IF NOT EXISTS. Two sessions creating the same table at once can both find
  /// it absent, and PostgreSQL then refuses the later one (a unique violation in its catalog, or
  /// "type already exists"): outside a transaction that one is run again, and finds the table there.
  void create_if_absent(std::string_view sql) {
    if (connection_->state().depth > 0) return connection_->execute(sql);
    try {
      connection_->execute(sql);
    } catch (const connection_error&) {
      throw;
    } catch (const error&) {
      connection_->execute(sql);
    }
  }

  /// A copy of a row from elsewhere (a sync mirror): upserted or deleted by key, with no hooks and
  /// no outbox row, since the change is not a new fact. Nothing reads its answer, so a backend that
  /// can send it without waiting for one does, while the connection defers writes.
  template <class T>
  void write_copy(change kind, const T& row) {
    guarded([&] {
      auto run = [](auto& q) {
        if constexpr (requires { q.finish_later(); }) q.finish_later();
        else q.finish();
      };
      if (kind == change::destroyed) {
        auto q = connection_->template start<compiled<remove_shape<T>, dialect>>();
        bind_key(q, row);
        run(q);
      } else {
        auto q = connection_->template start<compiled<upsert_shape<T, false>, dialect>>();
        bind_fields(q, row, every_field);
        run(q);
      }
      note_written(&row);
    });
  }

  /// Runs a statement of a feature's own (`use(cursor)` binds, runs and reads) with the session's
  /// error handling.
  template <class Compiled, class Use>
  decltype(auto) run_statement(Use&& use) {
    return guarded([&]() -> decltype(auto) {
      auto q = connection_->template start<Compiled>();
      return use(q);
    });
  }

  template <class T, int Limit, class... Clauses>
  using select_statement =
      compiled<select_shape<T, clause_type<is_where, Clauses...>, clause_type<is_order_by, Clauses...>, Limit,
                            count_clauses<is_offset, Clauses...> != 0, false>,
               dialect>;

  /// The current row as a T, made where it is needed: `T(row_maker)` converts in place.
  template <class T, class Cursor>
  struct row_maker {
    Cursor& q;
    operator T() const {
      T row{};
      read_row(q, row);
      return row;
    }
  };

  // Both returns are prvalues, so the optional is built in place: a named optional returned would
  // make every model instantiate std::optional<T>'s move constructor chain (unused, yet compiled).
  template <class T, class Cursor>
  static std::optional<T> read_one(Cursor& q) {
    if (!q.next()) return std::nullopt;
    return std::optional<T>{std::in_place, row_maker<T, Cursor>{q}};
  }

  template <class T, class Cursor>
  static std::vector<T> read_all(Cursor& q) {
    std::vector<T> rows;
    while (q.next()) read_row(q, rows.emplace_back());
    return rows;
  }

  template <class Binder, class... Clauses>
  static void bind_select_clauses(Binder& q, const Clauses&... clauses) {
    if constexpr (count_clauses<is_where, Clauses...> != 0) get_clause<is_where>(clauses...).condition.bind(q);
    if constexpr (count_clauses<is_limit, Clauses...> != 0) q.bind(get_clause<is_limit>(clauses...).count);
    if constexpr (count_clauses<is_offset, Clauses...> != 0) q.bind(get_clause<is_offset>(clauses...).count);
  }

  template <class Binder, class Clause>
  static void bind_set(Binder& q, const Clause& clause) {
    if constexpr (is_set<Clause>::value) clause.value.bind(q);
  }

  template <class T, class Clause>
  static void apply_set(T& row, const Clause& clause) {
    if constexpr (is_set<Clause>::value)
      assign_from_operand(boost::pfr::get<Clause::column::index>(row), clause.value);
  }

  Connection* connection_;
};

}  // namespace syncorm::detail

namespace syncorm::detail {

/// How features (sync, ...) reach into a session: its connection, its dialect, statements of their
/// own, and copies written without hooks or events. Not for users.
struct session_access {
  template <class Session>
  static auto& connection(Session& s) noexcept {
    return s.connection();
  }
  template <class Compiled, class Session, class Use>
  static decltype(auto) run(Session& s, Use&& use) {
    return s.template run_statement<Compiled>(std::forward<Use>(use));
  }
  template <class Session, class T>
  static void write_copy(Session& s, change kind, const T& row) {
    s.write_copy(kind, row);
  }
  /// Turns deferred writes (see write_copy) on, where the session's backend has them; false where
  /// it has not.
  template <class Session>
  static bool start_deferring(Session& s) noexcept {
    if constexpr (requires { s.connection().defer_writes(true); }) {
      s.connection().defer_writes(true);
      return true;
    } else {
      return false;
    }
  }
  /// Turns deferred writes off again; returns how many writes were deferred since start_deferring.
  template <class Session>
  static std::size_t stop_deferring(Session& s) noexcept {
    if constexpr (requires { s.connection().defer_writes(false); }) return s.connection().defer_writes(false);
    else return 0;
  }
  template <class Compiled, class Session>
  static void create_if_absent(Session& s) {
    s.guarded([&] { s.create_if_absent(Compiled::sql); });
  }
};

/// The SQL dialect of a database, a transaction, or anything routing to databases (a cluster names
/// its database type as `backend`).
template <class Session>
struct dialect_of_type {
  using type = typename std::remove_cvref_t<decltype(session_access::connection(std::declval<Session&>()))>::dialect;
};
template <class Session>
  requires requires { typename Session::backend; }
struct dialect_of_type<Session> {
  using type = typename dialect_of_type<typename Session::backend>::type;
};
template <class Session>
using dialect_of = typename dialect_of_type<Session>::type;

/// Runs `f` on `db` itself, or for something routing to databases (a cluster), on one of its write
/// sources: where features keep their own tables (a subscriber's positions, for instance).
template <class Database, class F>
decltype(auto) on_primary(Database& db, F&& f) {
  if constexpr (requires { db.on_write_source(f); }) return db.on_write_source(f);
  else return f(db);
}

}  // namespace syncorm::detail

namespace syncorm {

/// A transaction on one connection, handed to transaction() callbacks and to hooks; it offers the
/// same operations as the database and lives only as long as the callback.
template <class Connection>
class basic_transaction : public detail::session<Connection> {
public:
  /// A handle on the transaction open on `connection` (made by transaction(), not by users).
  explicit basic_transaction(Connection& connection) noexcept : detail::session<Connection>(&connection) {}
  basic_transaction(const basic_transaction&) = delete;
  basic_transaction& operator=(const basic_transaction&) = delete;
};

}  // namespace syncorm

namespace syncorm::detail {

/// Base-from-member: the connection must exist before the session that points to it. Owns it as
/// a std::unique_ptr would, without costing every user of syncorm <memory>.
template <class Connection>
struct connection_owner {
  explicit connection_owner(Connection* connection) noexcept : owned(connection) {}
  connection_owner(connection_owner&& other) noexcept : owned(std::exchange(other.owned, nullptr)) {}
  connection_owner& operator=(connection_owner&& other) noexcept {
    if (this != &other) {
      delete owned;
      owned = std::exchange(other.owned, nullptr);
    }
    return *this;
  }
  ~connection_owner() { delete owned; }

  Connection* owned;
};

/// A database: owns one connection and offers the session operations on it. Movable; the
/// connection stays put on the heap, so transactions and hooks never see it move.
template <class Connection>
class basic_database : private connection_owner<Connection>, public session<Connection> {
public:
  basic_database(basic_database&& other) noexcept
      : connection_owner<Connection>(std::move(other)), session<Connection>(this->owned) {
    other.rebind(nullptr);
  }
  basic_database& operator=(basic_database&& other) noexcept {
    connection_owner<Connection>::operator=(std::move(other));
    this->rebind(this->owned);
    other.rebind(nullptr);
    return *this;
  }
  basic_database(const basic_database&) = delete;
  basic_database& operator=(const basic_database&) = delete;
  ~basic_database() = default;

protected:
  /// Opens the connection, passing `arguments` to the backend connection's constructor.
  template <class... Arguments>
  explicit basic_database(std::in_place_t, Arguments&&... arguments)
      : connection_owner<Connection>(new Connection(std::forward<Arguments>(arguments)...)),
        session<Connection>(this->owned) {}
};

}  // namespace syncorm::detail
