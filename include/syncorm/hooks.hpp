#pragma once
// Lifecycle hooks: a specialisation of syncorm::hooks<T> with static member functions. Which hooks
// exist is found at compile time, so a model without hooks compiles to exactly the plain
// statement, and a hook is a direct (inlinable) call: no registry, no std::function, no vtable.

#include <cstddef>
#include <exception>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "event.hpp"

namespace syncorm {

/// Specialise with any of these static member functions (each optional):
///   before_validate(T&), validate(const T&), before_save(T&),
///   before_create(T&) / before_update(T&) / before_destroy(T&),
///   after_create(const T&) / after_update(const T&) / after_destroy(const T&), after_save(const T&),
///   after_commit(const syncorm::event<T>&).
/// Every hook but after_commit may take the transaction as a second parameter
/// (`syncorm::sqlite::transaction&`, or a template parameter) to write more rows atomically.
/// Before-hooks take the row as T& and may change it; any hook may throw to cancel.
template <class T>
struct hooks {};

}  // namespace syncorm

namespace syncorm::detail {

// One accessor per hook name: the only place hook names are spelled. A macro is the one way to
// stamp a member name into a requires-expression; it is #undef'd below and never seen by users.
#define SYNCORM_DETAIL_HOOK_ACCESSOR(hook_name)                                  \
  struct hook_name##_hook {                                                      \
    static constexpr std::string_view name = #hook_name;                         \
    template <class H, class... Args>                                            \
    static constexpr bool callable = requires(Args&... args) { H::hook_name(args...); }; \
    template <class H>                                                           \
    static constexpr bool declared = requires { &H::hook_name; };                \
    template <class H, class... Args>                                            \
    static void call(Args&... args) { H::hook_name(args...); }                   \
  };

SYNCORM_DETAIL_HOOK_ACCESSOR(before_validate)
SYNCORM_DETAIL_HOOK_ACCESSOR(validate)
SYNCORM_DETAIL_HOOK_ACCESSOR(before_save)
SYNCORM_DETAIL_HOOK_ACCESSOR(before_create)
SYNCORM_DETAIL_HOOK_ACCESSOR(before_update)
SYNCORM_DETAIL_HOOK_ACCESSOR(before_destroy)
SYNCORM_DETAIL_HOOK_ACCESSOR(after_create)
SYNCORM_DETAIL_HOOK_ACCESSOR(after_update)
SYNCORM_DETAIL_HOOK_ACCESSOR(after_destroy)
SYNCORM_DETAIL_HOOK_ACCESSOR(after_save)
SYNCORM_DETAIL_HOOK_ACCESSOR(after_commit)
#undef SYNCORM_DETAIL_HOOK_ACCESSOR

/// Whether a before-hook may change the row (and so must take it by non-const reference).
template <class Hook>
inline constexpr bool hook_may_change_row =
    std::is_same_v<Hook, before_validate_hook> || std::is_same_v<Hook, before_save_hook> ||
    std::is_same_v<Hook, before_create_hook> || std::is_same_v<Hook, before_update_hook> ||
    std::is_same_v<Hook, before_destroy_hook>;

/// How hooks<T> declares `Hook`, checked once: absent, (row) or (row, transaction). A declared
/// hook syncorm cannot call is a compile error, never silently skipped.
template <class Hook, class T, class Transaction>
struct hook_signature {
  using user_hooks = syncorm::hooks<T>;
  static constexpr bool with_transaction = Hook::template callable<user_hooks, T, Transaction>;
  static constexpr bool row_only = Hook::template callable<user_hooks, T>;
  static constexpr bool present = with_transaction || row_only;

  static_assert(present || !Hook::template declared<user_hooks>,
                "syncorm: this hook (named in Hook below) has a signature syncorm cannot call; "
                "expected `static void hook(T& row)` or `static void hook(T& row, Transaction& tx)`");
  static_assert(!hook_may_change_row<Hook> || !present ||
                    !(Hook::template callable<user_hooks, const T> ||
                      Hook::template callable<user_hooks, const T, Transaction>),
                "syncorm: a before-hook (named in Hook below) must take the row as a non-const "
                "reference `T&`: before-hooks may change the row, and a const or by-value row "
                "would silently drop the change");
};

/// after_commit takes the event, never a transaction: the transaction is over when it runs.
template <class T>
struct after_commit_signature {
  using user_hooks = syncorm::hooks<T>;
  static constexpr bool present = after_commit_hook::callable<user_hooks, const event<T>>;
  static_assert(present || !after_commit_hook::declared<user_hooks>,
                "syncorm: after_commit must be `static void after_commit(const syncorm::event<T>&)`");
};

/// Runs one hook if the model declares it; compiles to nothing otherwise.
template <class Hook, class T, class Transaction>
inline void run_hook(T& row, Transaction& tx) {
  using signature = hook_signature<Hook, T, Transaction>;
  if constexpr (signature::with_transaction) Hook::template call<syncorm::hooks<T>>(row, tx);
  else if constexpr (signature::row_only) Hook::template call<syncorm::hooks<T>>(row);
}

template <class Hook, class T, class Transaction>
inline constexpr bool has_hook = hook_signature<Hook, T, Transaction>::present;

template <class T, class Transaction>
inline constexpr bool has_hook_taking_transaction =
    hook_signature<before_validate_hook, T, Transaction>::with_transaction ||
    hook_signature<validate_hook, T, Transaction>::with_transaction ||
    hook_signature<before_save_hook, T, Transaction>::with_transaction ||
    hook_signature<before_create_hook, T, Transaction>::with_transaction ||
    hook_signature<before_update_hook, T, Transaction>::with_transaction ||
    hook_signature<before_destroy_hook, T, Transaction>::with_transaction ||
    hook_signature<after_create_hook, T, Transaction>::with_transaction ||
    hook_signature<after_update_hook, T, Transaction>::with_transaction ||
    hook_signature<after_destroy_hook, T, Transaction>::with_transaction ||
    hook_signature<after_save_hook, T, Transaction>::with_transaction;

template <class T>
inline constexpr bool has_after_commit = after_commit_signature<T>::present;

/// Whether a write of T must run inside a transaction of its own when the caller has none: when a
/// hook can fail after the statement ran, can write other rows, or waits for the commit.
template <class T, class Transaction>
inline constexpr bool write_needs_transaction =
    has_hook<after_create_hook, T, Transaction> || has_hook<after_update_hook, T, Transaction> ||
    has_hook<after_destroy_hook, T, Transaction> || has_hook<after_save_hook, T, Transaction> ||
    has_hook_taking_transaction<T, Transaction> || has_after_commit<T>;

/// Whether any hook runs around a write of T (update_where / remove_where then read rows first).
template <class T, class Transaction>
inline constexpr bool has_write_hooks =
    write_needs_transaction<T, Transaction> || has_hook<before_validate_hook, T, Transaction> ||
    has_hook<validate_hook, T, Transaction> || has_hook<before_save_hook, T, Transaction> ||
    has_hook<before_create_hook, T, Transaction> || has_hook<before_update_hook, T, Transaction> ||
    has_hook<before_destroy_hook, T, Transaction>;

/// after_commit calls waiting for the outermost commit. Rows of many models wait together, so
/// each entry remembers how to run and free itself through two plain function pointers: one
/// indirect call per event, paid only by models that declare after_commit.
class commit_queue {
public:
  commit_queue() = default;
  commit_queue(const commit_queue&) = delete;
  commit_queue& operator=(const commit_queue&) = delete;
  ~commit_queue() { truncate(0); }

  template <class T>
  void push(change kind, const T& row) {
    entries_.reserve(entries_.size() + 1);  // so push_back below cannot throw and leak
    auto owned = std::make_unique<event<T>>(event<T>{kind, row});
    entries_.push_back(entry{owned.release(), &invoke<T>, &destroy<T>});
  }

  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

  /// Drops the events queued after `mark` (their savepoint rolled back).
  void truncate(std::size_t mark) noexcept {
    while (entries_.size() > mark) {
      entries_.back().destroy(entries_.back().payload);
      entries_.pop_back();
    }
  }

  /// Runs and drops every queued event in order. All run even if one throws; the first exception
  /// is rethrown afterwards (the data is already committed, so the others must still be told).
  void run_all() {
    std::vector<entry> ready;
    ready.swap(entries_);
    std::exception_ptr first_failure;
    for (entry& e : ready) {
      try {
        e.invoke(e.payload);
      } catch (...) {
        if (!first_failure) first_failure = std::current_exception();
      }
      e.destroy(e.payload);
    }
    if (first_failure) std::rethrow_exception(first_failure);
  }

private:
  struct entry {
    void* payload;
    void (*invoke)(void*);
    void (*destroy)(void*) noexcept;
  };

  template <class T>
  static void invoke(void* payload) {
    syncorm::hooks<T>::after_commit(*static_cast<const event<T>*>(payload));
  }
  template <class T>
  static void destroy(void* payload) noexcept {
    delete static_cast<event<T>*>(payload);
  }

  std::vector<entry> entries_;
};

}  // namespace syncorm::detail
