// Lifecycle hooks (syncorm::hooks<T>): the order they run in for every write, single and bulk;
// before-hooks that change the row; hooks that throw; after_commit only after a commit; hooks that
// write through the transaction; and no dynamic dispatch anywhere on the way.

#include <doctest/doctest.h>

#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "support/backends.hpp"

using syncorm::col;
using syncorm::set;
using syncorm::where;

namespace hook_models {

/// Every hook, each taking the row alone; each records itself in `hook_log`.
struct Traced {
  std::int64_t id = 0;
  std::string name;
  int value = 0;
};

/// Before-hooks that change the row: the slug is derived from the title, the revision counted.
struct Article {
  std::int64_t id = 0;
  std::string title;
  std::string slug;
  int revision = 0;
};

/// Hooks that take the transaction, the backend's concrete type or a template parameter, and
/// write audit rows through it. A template so that its hooks can name each backend's type.
template <class Backend>
struct Account {
  std::int64_t id = 0;
  std::string owner;
  std::int64_t balance = 0;
};

/// Written by Account's hooks.
struct AuditEntry {
  std::int64_t id = 0;
  std::string what;
};

/// No hooks specialisation at all.
struct Plain {
  std::int64_t id = 0;
  std::string name;
};

/// An empty hooks specialisation: must behave, and compile, as Plain.
struct EmptyHooks {
  std::int64_t id = 0;
  std::string name;
};

/// One before_create hook: costs nothing on updates and deletions.
struct CreateOnly {
  std::int64_t id = 0;
  std::string name;
};

}  // namespace hook_models

namespace {

using namespace hook_models;

/// What the hooks of this file did, in order: "<hook> <row name>".
std::vector<std::string> hook_log;
/// The after_commit events Traced and Article received, in order.
std::vector<syncorm::event<Traced>> traced_events;
std::vector<syncorm::event<Article>> article_events;
/// Which hook throws: a hook name ("after_save": every row) or a log entry ("after_save c").
std::string failing_hook;

/// Thrown by the hook named in `failing_hook`; its message is the log entry of the failing call.
struct hook_failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Records one hook call, then throws if that call is the one asked to fail.
void record(const std::string& hook, const std::string& row_name) {
  const std::string entry = hook + " " + row_name;
  hook_log.push_back(entry);
  if (failing_hook == hook || failing_hook == entry) throw hook_failure(entry);
}

/// Each test starts with nothing recorded and no hook set to fail.
struct fresh_hook_state {
  fresh_hook_state() { clear(); }
  ~fresh_hook_state() { clear(); }
  fresh_hook_state(const fresh_hook_state&) = delete;
  fresh_hook_state& operator=(const fresh_hook_state&) = delete;
  static void clear() {
    hook_log.clear();
    traced_events.clear();
    article_events.clear();
    failing_hook.clear();
  }
};

std::string slug_of(const std::string& title) {
  std::string slug;
  for (const char c : title) slug += c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return slug;
}

using calls = std::vector<std::string>;

}  // namespace

template <>
struct syncorm::hooks<Traced> {
  static void before_validate(Traced& row) { record("before_validate", row.name); }
  static void validate(const Traced& row) {
    record("validate", row.name);
    if (row.value < 0) throw syncorm::validation_error("value must not be negative", "traced", "value");
  }
  static void before_save(Traced& row) { record("before_save", row.name); }
  static void before_create(Traced& row) { record("before_create", row.name); }
  static void before_update(Traced& row) { record("before_update", row.name); }
  static void before_destroy(Traced& row) { record("before_destroy", row.name); }
  static void after_create(const Traced& row) { record("after_create", row.name); }
  static void after_update(const Traced& row) { record("after_update", row.name); }
  static void after_destroy(const Traced& row) { record("after_destroy", row.name); }
  static void after_save(const Traced& row) { record("after_save", row.name); }
  static void after_commit(const syncorm::event<Traced>& e) {
    traced_events.push_back(e);
    record("after_commit", std::string(syncorm::to_string(e.kind)) + " " + e.row.name);
  }
};

template <>
struct syncorm::hooks<Article> {
  static void before_save(Article& a) { a.slug = slug_of(a.title); }
  static void before_create(Article& a) { a.revision = 1; }
  static void before_update(Article& a) { ++a.revision; }
  /// Never written (a deletion writes only the key), but seen by after_destroy and after_commit.
  static void before_destroy(Article& a) { a.title = "[deleted] " + a.title; }
  static void after_commit(const syncorm::event<Article>& e) { article_events.push_back(e); }
};

template <class Backend>
struct syncorm::hooks<Account<Backend>> {
  using account = Account<Backend>;

  /// The concrete type: sees, through the transaction, the table before the statement.
  static void before_create(account& a, typename Backend::transaction& tx) {
    record("before_create", a.owner + " sees " + std::to_string(accounts_named(a.owner, tx)));
    write_audit(tx, "creating " + a.owner);
  }
  static void after_create(const account& a, typename Backend::transaction& tx) {
    record("after_create", a.owner + " sees " + std::to_string(accounts_named(a.owner, tx)));
    write_audit(tx, "created " + a.owner);
  }
  /// A template parameter: deduced as the backend's transaction type.
  template <class Transaction>
  static void before_destroy(account& a, Transaction& tx) {
    static_assert(std::is_same_v<Transaction, typename Backend::transaction>);
    record("before_destroy", a.owner + " sees " + std::to_string(accounts_named(a.owner, tx)));
  }
  template <class Transaction>
  static void after_destroy(const account& a, Transaction& tx) {
    record("after_destroy", a.owner + " sees " + std::to_string(accounts_named(a.owner, tx)));
    write_audit(tx, "destroyed " + a.owner);
  }
  static void after_save(const account& a) { record("after_save", a.owner); }

  template <class Transaction>
  static std::int64_t accounts_named(const std::string& owner, Transaction& tx) {
    CHECK(tx.in_transaction());
    return tx.template count<account>(where(col<&account::owner> == owner));
  }
  template <class Transaction>
  static void write_audit(Transaction& tx, std::string what) {
    AuditEntry entry{.what = std::move(what)};
    tx.insert(entry);
  }
};

template <class Backend>
struct syncorm::model_traits<Account<Backend>> {
  static constexpr std::string_view table = "account";
  using unique_columns = syncorm::columns<&Account<Backend>::owner>;
};

template <>
struct syncorm::hooks<EmptyHooks> {};

template <>
struct syncorm::hooks<CreateOnly> {
  static void before_create(CreateOnly& row) { row.name += " (new)"; }
};

namespace {

/// A database with the tables of this file.
template <class Backend>
auto open_with_tables() {
  auto db = Backend::open();
  db.template create_table<Traced>();
  db.template create_table<Article>();
  db.template create_table<Account<Backend>>();
  db.template create_table<AuditEntry>();
  db.template create_table<Plain>();
  db.template create_table<EmptyHooks>();
  return db;
}

/// Every create hook of Traced for the row named `name`, in order, as logged.
calls create_hooks_of(const std::string& name) {
  return {"before_validate " + name, "validate " + name,     "before_save " + name,
          "before_create " + name,   "after_create " + name, "after_save " + name};
}

/// Every update hook of Traced for the row named `name`, in order, as logged.
calls update_hooks_of(const std::string& name) {
  return {"before_validate " + name, "validate " + name,     "before_save " + name,
          "before_update " + name,   "after_update " + name, "after_save " + name};
}

calls destroy_hooks_of(const std::string& name) { return {"before_destroy " + name, "after_destroy " + name}; }

calls operator+(calls first, const calls& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

/// Inserts Traced rows named by `names` (value 1 each), then forgets what their hooks logged.
template <class Database>
std::vector<Traced> insert_traced(Database& db, std::initializer_list<const char*> names) {
  std::vector<Traced> rows;
  for (const char* name : names) rows.push_back({.name = name, .value = 1});
  db.insert_many(rows);
  fresh_hook_state::clear();
  return rows;
}

}  // namespace

// ---- the order of the hooks -----------------------------------------------------------------------

TEST_CASE_TEMPLATE("insert runs the create hooks in order, then after_commit", Backend, SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  Traced row{.name = "a"};
  db.insert(row);
  CHECK(hook_log == create_hooks_of("a") + calls{"after_commit created a"});
  CHECK(db.template count<Traced>() == 1);
}

TEST_CASE_TEMPLATE("update runs the update hooks in order, then after_commit", Backend, SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  Traced row = insert_traced(db, {"a"}).front();
  row.value = 7;
  CHECK(db.update(row));
  CHECK(hook_log == update_hooks_of("a") + calls{"after_commit updated a"});
  CHECK(db.template find<Traced>(row.id)->value == 7);
}

TEST_CASE_TEMPLATE("remove runs only before_destroy, after_destroy and after_commit", Backend, SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  const Traced row = insert_traced(db, {"a"}).front();
  CHECK(db.remove(row));
  CHECK(hook_log == destroy_hooks_of("a") + calls{"after_commit destroyed a"});
  CHECK(db.template count<Traced>() == 0);
}

TEST_CASE_TEMPLATE("upsert runs the save hooks, then the after-hooks of what it did", Backend, SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  Traced row{.id = 40, .name = "u", .value = 1};
  db.upsert(row);  // no row 40 yet: an insert
  const calls save_hooks{"before_validate u", "validate u", "before_save u"};
  CHECK(hook_log == save_hooks + calls{"after_create u", "after_save u", "after_commit created u"});
  CHECK(traced_events.back().kind == syncorm::change::created);
  fresh_hook_state::clear();
  row.value = 2;
  db.upsert(row);  // now an update of row 40
  CHECK(hook_log == save_hooks + calls{"after_update u", "after_save u", "after_commit updated u"});
  CHECK(traced_events.back().kind == syncorm::change::updated);
  CHECK(db.template find<Traced>(40)->value == 2);
  // validate refuses, as for insert and update: nothing is written.
  row.value = -1;
  CHECK_THROWS_AS(db.upsert(row), syncorm::validation_error);
  CHECK(db.template find<Traced>(40)->value == 2);
}

TEST_CASE_TEMPLATE("before-hooks run before the statement and after-hooks after it, in the same transaction", Backend,
                   SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  Account<Backend> account{.owner = "ada"};
  db.insert(account);
  CHECK(db.remove(account));
  CHECK(hook_log == calls{"before_create ada sees 0", "after_create ada sees 1", "after_save ada",
                        "before_destroy ada sees 1", "after_destroy ada sees 0"});
}

TEST_CASE_TEMPLATE("insert_many runs every row's create hooks row by row, then one after_commit per row", Backend,
                   SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  std::vector<Traced> rows{{.name = "a"}, {.name = "b"}};
  db.insert_many(rows);
  CHECK(hook_log ==
        create_hooks_of("a") + create_hooks_of("b") + calls{"after_commit created a", "after_commit created b"});
}

TEST_CASE_TEMPLATE("update_where runs the update hooks for each selected row, in key order, with set() applied", Backend,
                   SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  insert_traced(db, {"a", "b", "c"});
  CHECK(db.template update_where<Traced>(set(col<&Traced::value>, 5), where(col<&Traced::name> != "b")) == 2);
  CHECK(hook_log == update_hooks_of("a") + update_hooks_of("c") +
                        calls{"after_commit updated a", "after_commit updated c"});
  REQUIRE(traced_events.size() == 2);
  for (const auto& e : traced_events) CHECK(e.row.value == 5);  // the hooks saw the set() values
  CHECK(db.template count<Traced>(where(col<&Traced::value> == 5)) == 2);
}

TEST_CASE_TEMPLATE("remove_where runs the destroy hooks for each selected row, in key order", Backend,
                   SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  insert_traced(db, {"a", "b", "c"});
  CHECK(db.template remove_where<Traced>(where(col<&Traced::name> != "b")) == 2);
  CHECK(hook_log == destroy_hooks_of("a") + destroy_hooks_of("c") +
                        calls{"after_commit destroyed a", "after_commit destroyed c"});
  CHECK(db.template count<Traced>() == 1);
}

TEST_CASE_TEMPLATE("update_where and remove_where that select no row run no hook", Backend, SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  insert_traced(db, {"a"});
  CHECK(db.template update_where<Traced>(set(col<&Traced::value>, 5), where(col<&Traced::name> == "z")) == 0);
  CHECK(db.template remove_where<Traced>(where(col<&Traced::name> == "z")) == 0);
  CHECK(hook_log.empty());
}

TEST_CASE_TEMPLATE("update and remove of a row that no longer exists return false and run no after-hook", Backend,
                   SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  Traced row = insert_traced(db, {"a"}).front();
  CHECK(db.template remove_where<Traced>(where(col<&Traced::id> == row.id)) == 1);
  fresh_hook_state::clear();
  CHECK_FALSE(db.update(row));
  CHECK(hook_log == calls{"before_validate a", "validate a", "before_save a", "before_update a"});
  hook_log.clear();
  CHECK_FALSE(db.remove(row));
  CHECK(hook_log == calls{"before_destroy a"});
}

// ---- before-hooks change the row ----------------------------------------------------------------

TEST_CASE_TEMPLATE("a before-hook's change to the row is what gets written, and the caller sees it", Backend,
                   SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  Article article{.title = "Hello World"};
  db.insert(article);
  CHECK(article.slug == "hello-world");
  CHECK(article.revision == 1);
  auto stored = db.template find<Article>(article.id);
  REQUIRE(stored);
  CHECK(stored->slug == "hello-world");
  CHECK(stored->revision == 1);

  article.title = "Goodbye";
  CHECK(db.update(article));
  CHECK(article.revision == 2);
  stored = db.template find<Article>(article.id);
  CHECK(stored->slug == "goodbye");
  CHECK(stored->revision == 2);
}

TEST_CASE_TEMPLATE("update_where writes what the before-hooks made of each row", Backend, SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  std::vector<Article> articles{{.title = "One"}, {.title = "Two"}};
  db.insert_many(articles);
  CHECK(db.template update_where<Article>(set(col<&Article::title>, "Same Title"), where(col<&Article::revision> == 1)) ==
        2);
  for (const Article& a : db.template select<Article>()) {
    CHECK(a.slug == "same-title");  // before_save saw the title set() assigned
    CHECK(a.revision == 2);
  }
}

TEST_CASE_TEMPLATE("remove(row) with hooks leaves the caller's row as it was", Backend, SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  Article article{.title = "Kept"};
  db.insert(article);
  const Article before = article;
  CHECK(db.remove(article));
  CHECK(article.title == before.title);
  CHECK(article.revision == before.revision);
  REQUIRE(article_events.size() == 2);
  CHECK(article_events[1].kind == syncorm::change::destroyed);
  CHECK(article_events[1].row.title == "[deleted] Kept");  // before_destroy's change reaches the event
}

// ---- hooks that throw -----------------------------------------------------------------------------

TEST_CASE_TEMPLATE("validate throwing validation_error cancels the write, and the error reaches the caller", Backend,
                   SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  Traced row{.name = "negative", .value = -1};
  try {
    db.insert(row);
    FAIL("insert must throw");
  } catch (const syncorm::validation_error& e) {
    CHECK(std::string(e.what()) == "value must not be negative");
    CHECK(e.table() == "traced");
    CHECK(e.column() == "value");
  }
  CHECK(hook_log == calls{"before_validate negative", "validate negative"});
  CHECK(row.id == 0);
  CHECK(db.template count<Traced>() == 0);
  CHECK_FALSE(db.in_transaction());

  Traced existing = insert_traced(db, {"a"}).front();
  existing.value = -5;
  CHECK_THROWS_AS(db.update(existing), syncorm::validation_error);
  CHECK(db.template find<Traced>(existing.id)->value == 1);
}

TEST_CASE_TEMPLATE("a before-hook that throws writes nothing, rolls the whole transaction back, and runs no "
                   "after_commit",
                   Backend, SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();

  SUBCASE("without a transaction") {
    failing_hook = "before_create";
    Traced row{.name = "a"};
    CHECK_THROWS_WITH_AS(db.insert(row), "before_create a", hook_failure);
    CHECK(hook_log == calls{"before_validate a", "validate a", "before_save a", "before_create a"});
  }
  SUBCASE("in a transaction, after other writes") {
    failing_hook = "before_create b";
    CHECK_THROWS_WITH_AS(db.transaction([&](auto& tx) {
      Traced a{.name = "a"};
      tx.insert(a);
      Traced b{.name = "b"};
      tx.insert(b);
    }),
                         "before_create b", hook_failure);
    CHECK(hook_log == create_hooks_of("a") +
                          calls{"before_validate b", "validate b", "before_save b", "before_create b"});
  }
  CHECK(db.template count<Traced>() == 0);
  CHECK_FALSE(db.in_transaction());
  CHECK(traced_events.empty());
}

TEST_CASE_TEMPLATE("an after-hook that throws rolls its statement back", Backend, SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();

  SUBCASE("after_create: the row is not inserted, and keeps its id") {
    failing_hook = "after_create";
    Traced row{.name = "a"};
    CHECK_THROWS_WITH_AS(db.insert(row), "after_create a", hook_failure);
    CHECK(row.id == 0);
    CHECK(db.template count<Traced>() == 0);
  }
  SUBCASE("after_save on insert") {
    failing_hook = "after_save";
    Traced row{.name = "a"};
    CHECK_THROWS_WITH_AS(db.insert(row), "after_save a", hook_failure);
    CHECK(row.id == 0);
    CHECK(db.template count<Traced>() == 0);
  }
  SUBCASE("after_save on update: the row keeps its stored values") {
    Traced row = insert_traced(db, {"a"}).front();
    failing_hook = "after_save";
    row.value = 9;
    CHECK_THROWS_WITH_AS(db.update(row), "after_save a", hook_failure);
    CHECK(db.template find<Traced>(row.id)->value == 1);
  }
  SUBCASE("after_destroy: the row is still there") {
    const Traced row = insert_traced(db, {"a"}).front();
    failing_hook = "after_destroy";
    CHECK_THROWS_WITH_AS(db.remove(row), "after_destroy a", hook_failure);
    CHECK(db.template count<Traced>() == 1);
  }
  CHECK_FALSE(db.in_transaction());
  CHECK(traced_events.empty());
}

TEST_CASE_TEMPLATE("a hook that throws in insert_many writes no row and restores every id", Backend,
                   SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  std::vector<Traced> rows{{.name = "a"}, {.name = "b"}, {.name = "c"}, {.name = "d"}};

  SUBCASE("before the third row's statement") {
    failing_hook = "before_create c";
    CHECK_THROWS_WITH_AS(db.insert_many(rows), "before_create c", hook_failure);
    CHECK(hook_log == create_hooks_of("a") + create_hooks_of("b") +
                          calls{"before_validate c", "validate c", "before_save c", "before_create c"});
  }
  SUBCASE("after the third row's statement") {
    failing_hook = "after_create c";
    CHECK_THROWS_WITH_AS(db.insert_many(rows), "after_create c", hook_failure);
    CHECK(hook_log == create_hooks_of("a") + create_hooks_of("b") +
                          calls{"before_validate c", "validate c", "before_save c", "before_create c", "after_create c"});
  }
  for (const Traced& row : rows) CHECK(row.id == 0);
  CHECK(db.template count<Traced>() == 0);
  CHECK(traced_events.empty());
}

TEST_CASE_TEMPLATE("a hook that throws in update_where or remove_where changes no row", Backend, SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  insert_traced(db, {"a", "b", "c"});

  SUBCASE("update_where") {
    failing_hook = "after_update b";
    CHECK_THROWS_WITH_AS(db.template update_where<Traced>(set(col<&Traced::value>, 5), where(col<&Traced::value> == 1)),
                         "after_update b", hook_failure);
    CHECK(db.template count<Traced>(where(col<&Traced::value> == 1)) == 3);
  }
  SUBCASE("remove_where") {
    failing_hook = "before_destroy c";
    CHECK_THROWS_WITH_AS(db.template remove_where<Traced>(where(col<&Traced::value> == 1)), "before_destroy c",
                         hook_failure);
    CHECK(db.template count<Traced>() == 3);
  }
  CHECK(traced_events.empty());
  CHECK_FALSE(db.in_transaction());
}

// ---- after_commit ---------------------------------------------------------------------------------

TEST_CASE_TEMPLATE("after_commit runs once per row, only after the transaction has committed", Backend,
                   SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  auto other = Backend::open_again(db);
  db.transaction([&](auto& tx) {
    Traced a{.name = "a"};
    Traced b{.name = "b"};
    tx.insert(a);
    tx.insert(b);
    a.value = 3;
    tx.update(a);
    tx.template remove_where<Traced>(where(col<&Traced::name> == "b"));
    CHECK(traced_events.empty());
  });
  CHECK(calls(hook_log.end() - 4, hook_log.end()) == calls{"after_commit created a", "after_commit created b",
                                                        "after_commit updated a", "after_commit destroyed b"});
  CHECK(other.template count<Traced>() == 1);  // committed, and visible to another connection
}

TEST_CASE_TEMPLATE("after_commit events carry the change and the row as written", Backend, SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  Traced row{.name = "a", .value = 1};
  db.insert(row);
  row.value = 2;
  db.update(row);
  db.template remove_where<Traced>(where(col<&Traced::id> == row.id));
  REQUIRE(traced_events.size() == 3);
  CHECK(traced_events[0].kind == syncorm::change::created);
  CHECK(traced_events[1].kind == syncorm::change::updated);
  CHECK(traced_events[2].kind == syncorm::change::destroyed);
  CHECK(traced_events[0].row.value == 1);
  for (const auto& e : traced_events) {
    CHECK(e.row.id == row.id);
    CHECK(e.row.name == "a");
  }
  CHECK(traced_events[2].row.value == 2);  // the row as it was before it was deleted
}

TEST_CASE_TEMPLATE("after_commit never runs when the transaction rolls back", Backend, SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  CHECK_THROWS_AS(db.transaction([&](auto& tx) {
    Traced a{.name = "a"};
    tx.insert(a);
    throw std::runtime_error("rolled back");
  }),
                  std::runtime_error);
  CHECK(traced_events.empty());
  // Later commits do not deliver the rolled-back events.
  Traced b{.name = "b"};
  db.insert(b);
  REQUIRE(traced_events.size() == 1);
  CHECK(traced_events[0].row.name == "b");
}

TEST_CASE_TEMPLATE("after_commit of a rolled-back savepoint never runs; of a released one, at the outer commit",
                   Backend, SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  db.transaction([&](auto& tx) {
    Traced a{.name = "a"};
    tx.insert(a);
    CHECK_THROWS_AS(tx.transaction([&](auto& inner) {
      Traced lost{.name = "lost"};
      inner.insert(lost);
      throw std::runtime_error("inner fails");
    }),
                    std::runtime_error);
    tx.transaction([&](auto& inner) {
      Traced kept{.name = "kept"};
      inner.insert(kept);
    });
    CHECK(traced_events.empty());  // the savepoint is released, but the outer transaction is open
  });
  REQUIRE(traced_events.size() == 2);
  CHECK(traced_events[0].row.name == "a");
  CHECK(traced_events[1].row.name == "kept");
  CHECK(db.template count<Traced>() == 2);
}

TEST_CASE_TEMPLATE("after_commit does not run when the outer transaction fails to commit", Backend,
                   SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();

  SUBCASE("an operation in it failed") {
    failing_hook = "before_create b";
    CHECK_THROWS_AS(db.transaction([&](auto& tx) {
      Traced a{.name = "a"};
      tx.insert(a);
      Traced b{.name = "b"};
      CHECK_THROWS_AS(tx.insert(b), hook_failure);
      // Returning normally: the commit is refused, the transaction rolled back.
    }),
                    syncorm::error);
  }
  SUBCASE("the database refuses the COMMIT") {
    // A deferred foreign key is checked only at COMMIT, on both SQLite and PostgreSQL.
    db.execute("CREATE TABLE IF NOT EXISTS parent_row (id INTEGER PRIMARY KEY)");
    db.execute("CREATE TABLE IF NOT EXISTS child_row (id INTEGER PRIMARY KEY, parent_id INTEGER "
               "REFERENCES parent_row (id) DEFERRABLE INITIALLY DEFERRED)");
    CHECK_THROWS_AS(db.transaction([&](auto& tx) {
      Traced a{.name = "a"};
      tx.insert(a);
      tx.execute("INSERT INTO child_row (id, parent_id) VALUES (1, 42)");
    }),
                    syncorm::constraint_error);
  }
  CHECK_FALSE(db.in_transaction());
  CHECK(db.template count<Traced>() == 0);
  CHECK(traced_events.empty());
  Traced c{.name = "c"};
  db.insert(c);  // the database is usable again, and only the new row is announced
  REQUIRE(traced_events.size() == 1);
  CHECK(traced_events[0].row.name == "c");
}

TEST_CASE_TEMPLATE("every after_commit runs even if one throws; the first exception reaches the caller", Backend,
                   SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  failing_hook = "after_commit";
  std::vector<Traced> rows{{.name = "a"}, {.name = "b"}};
  CHECK_THROWS_WITH_AS(db.insert_many(rows), "after_commit created a", hook_failure);
  CHECK(traced_events.size() == 2);
  CHECK(db.template count<Traced>() == 2);  // committed before the hooks ran
  CHECK(rows[0].id != 0);
  CHECK_FALSE(db.in_transaction());
}

// ---- hooks that write through the transaction ---------------------------------------------------

TEST_CASE_TEMPLATE("rows a hook writes through the transaction commit with the main row", Backend,
                   SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  Account<Backend> account{.owner = "ada"};
  db.insert(account);  // an implicit transaction: the hooks take one
  CHECK_FALSE(db.in_transaction());
  CHECK(db.template count<AuditEntry>(where(col<&AuditEntry::what> == "creating ada")) == 1);
  CHECK(db.template count<AuditEntry>(where(col<&AuditEntry::what> == "created ada")) == 1);
  db.template remove_where<Account<Backend>>(where(col<&Account<Backend>::owner> == "ada"));
  CHECK(db.template count<AuditEntry>(where(col<&AuditEntry::what> == "destroyed ada")) == 1);
}

TEST_CASE_TEMPLATE("rows a hook writes through the transaction roll back with the main row", Backend,
                   SYNCORM_TEST_BACKENDS) {
  const fresh_hook_state state;
  auto db = open_with_tables<Backend>();
  Account<Backend> existing{.owner = "taken"};
  db.insert(existing);
  const std::int64_t audit_rows = db.template count<AuditEntry>();

  SUBCASE("a later hook of the same write throws") {
    failing_hook = "after_save";
    Account<Backend> account{.owner = "ada"};
    CHECK_THROWS_WITH_AS(db.insert(account), "after_save ada", hook_failure);
    CHECK(account.id == 0);
  }
  SUBCASE("the statement itself fails, after a before-hook wrote") {
    Account<Backend> duplicate{.owner = "taken"};
    CHECK_THROWS_AS(db.insert(duplicate), syncorm::constraint_error);
    CHECK(hook_log.back() == "before_create taken sees 1");  // it wrote, then the INSERT failed
  }
  SUBCASE("the enclosing transaction throws later") {
    CHECK_THROWS_AS(db.transaction([&](auto& tx) {
      Account<Backend> account{.owner = "ada"};
      tx.insert(account);
      CHECK(tx.template count<AuditEntry>() == audit_rows + 2);
      throw std::runtime_error("changed my mind");
    }),
                    std::runtime_error);
  }
  SUBCASE("a destroy whose after_destroy wrote, then the transaction throws") {
    CHECK_THROWS_AS(db.transaction([&](auto& tx) {
      tx.remove(existing);
      throw std::runtime_error("changed my mind");
    }),
                    std::runtime_error);
  }
  CHECK(db.template count<Account<Backend>>() == 1);
  CHECK(db.template count<AuditEntry>() == audit_rows);
  CHECK_FALSE(db.in_transaction());
}

// ---- no cost when unused ------------------------------------------------------------------------

// No virtual dispatch: proved by the compiler when this file builds (the CTest check
// no_dynamic_dispatch proves the headers declare nothing virtual).
static_assert(!std::is_polymorphic_v<test_support::sqlite_backend::database>);
static_assert(!std::is_polymorphic_v<test_support::sqlite_backend::transaction>);
static_assert(!std::is_polymorphic_v<test_support::postgres_backend::database>);
static_assert(!std::is_polymorphic_v<test_support::postgres_backend::transaction>);
static_assert(!std::is_polymorphic_v<syncorm::hooks<Traced>>);
static_assert(!std::is_polymorphic_v<syncorm::hooks<Plain>>);
static_assert(!std::is_polymorphic_v<syncorm::detail::commit_queue>);
static_assert(!std::is_polymorphic_v<syncorm::event<Traced>>);

TEST_CASE_TEMPLATE("a model with an empty hooks specialisation takes the plain path, as one without", Backend,
                   SYNCORM_TEST_BACKENDS) {
  using transaction = typename Backend::transaction;
  using syncorm::change, syncorm::detail::has_write_hooks, syncorm::detail::write_needs_transaction;
  static_assert(!has_write_hooks<change::created, Plain, transaction>);
  static_assert(!has_write_hooks<change::updated, Plain, transaction>);
  static_assert(!has_write_hooks<change::destroyed, Plain, transaction>);
  static_assert(!has_write_hooks<change::created, EmptyHooks, transaction>);
  static_assert(!has_write_hooks<change::updated, EmptyHooks, transaction>);
  static_assert(!has_write_hooks<change::destroyed, EmptyHooks, transaction>);
  // The hooks of one operation cost nothing on the others, and before-hooks alone need no
  // transaction of their own.
  static_assert(has_write_hooks<change::created, CreateOnly, transaction>);
  static_assert(!write_needs_transaction<change::created, CreateOnly, transaction>);
  static_assert(!has_write_hooks<change::updated, CreateOnly, transaction>);
  static_assert(!has_write_hooks<change::destroyed, CreateOnly, transaction>);
  static_assert(write_needs_transaction<change::destroyed, Article, transaction>);  // after_commit

  auto db = open_with_tables<Backend>();
  EmptyHooks row{.name = "a"};
  db.insert(row);
  row.name = "b";
  CHECK(db.update(row));
  CHECK(db.template update_where<EmptyHooks>(set(col<&EmptyHooks::name>, "c"), where(col<&EmptyHooks::id> == row.id)) ==
        1);
  CHECK(db.template find<EmptyHooks>(row.id)->name == "c");
  CHECK(db.template remove_where<EmptyHooks>(where(col<&EmptyHooks::name> == "c")) == 1);
}
