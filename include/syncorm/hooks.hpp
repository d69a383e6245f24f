#pragma once
// Lifecycle hooks: a specialisation of syncorm::hooks<T> with static member functions. Which hooks
// exist is found at compile time, so a model without hooks compiles to exactly the plain
// statement, and a hook is a direct (inlinable) call: no registry, no type-erased callable, no
// vtable. The one indirect call is commit_queue's (below): one per after_commit event, paid only
// by models that declare after_commit.

#include <cstddef>
#include <exception>
#include <type_traits>
#include <utility>

#include "core/growing_array.hpp"
#include "event.hpp"

namespace syncorm {

/// Specialise with any of these static member functions (each optional), which run in this order:
///   before_validate(T&), validate(const T&), before_save(T&),
///   before_create(T&) / before_update(T&) / before_destroy(T&), then the statement,
///   after_create(const T&) / after_update(const T&) / after_destroy(const T&), after_save(const T&),
///   and after_commit(const syncorm::event<T>&) once the enclosing transaction has committed.
/// Creating and updating run the validate and save hooks; destroying runs only before_destroy,
/// after_destroy and after_commit. Every hook but after_commit may take the transaction as a second
/// parameter (`syncorm::sqlite::transaction&`, or a template parameter) to write more rows
/// atomically. Before-hooks take the row as T& and may change it: the change is what is written.
/// Any hook may throw: the transaction rolls back, no after_commit runs, the exception propagates.
template <class T>
struct hooks {};

}  // namespace syncorm

namespace syncorm::detail {

// One descriptor per hook name: the only place hook names are spelled. A macro is the one way to
// stamp a member name into a requires-expression and into the compile errors that name the hook;
// the macros are #undef'd below and never seen by users.
//
// `declared` sees a member of that name whatever its signature (a template or an overload set,
// whose address cannot be taken): looked up in a class that also inherits a data member of that
// name, the name is ambiguous exactly when the hooks class declares it.
#define SYNCORM_DETAIL_HOOK_NAME(hook_name)                                                    \
  struct hook_name##_name {                                                                    \
    template <class H, class... Args>                                                          \
    static constexpr bool callable = requires(Args&... args) { H::hook_name(args...); };       \
    struct name_holder {                                                                       \
      int hook_name;                                                                           \
    };                                                                                         \
    template <class H>                                                                         \
    struct lookup : H, name_holder {};                                                         \
    template <class H>                                                                         \
    static constexpr bool declared = [] {                                                      \
      if constexpr (std::is_final_v<H>) return requires { &H::hook_name; };                    \
      else return !requires { &lookup<H>::hook_name; };                                        \
    }();                                                                                       \
    template <class H, class... Args>                                                          \
    static void call(Args&... args) {                                                          \
      H::hook_name(args...);                                                                   \
    }                                                                                          \
  };

// A hook that receives the row. `rules` holds the two ways to declare it wrongly, as exclusive
// conditions so that a misuse reads as exactly one error; it takes the model, so that the error's
// first line ("In instantiation of ... before_save_hook::rules<Order, ...>") names it.
#define SYNCORM_DETAIL_ROW_HOOK(hook_name, mutable_row, row_parameter, row_reason)            \
  SYNCORM_DETAIL_HOOK_NAME(hook_name)                                                          \
  struct hook_name##_hook : hook_name##_name {                                                 \
    static constexpr bool changes_row = mutable_row;                                           \
    template <class Model, bool WrongConstness, bool Uncallable>                               \
    struct rules {                                                                             \
      static_assert(!WrongConstness, "syncorm: hooks<T>::" #hook_name                         \
                                     " must take the row as `" row_parameter "`: " row_reason); \
      static_assert(!Uncallable, "syncorm: hooks<T>::" #hook_name                              \
                                 " has a signature syncorm cannot call; declare it as "        \
                                 "`static void " #hook_name "(" row_parameter " row)`, or with " \
                                 "the transaction as a second parameter `(" row_parameter      \
                                 " row, Transaction& tx)`");                                   \
      static constexpr bool checked = true;                                                    \
    };                                                                                         \
  };

#define SYNCORM_DETAIL_BEFORE_HOOK(hook_name)             \
  SYNCORM_DETAIL_ROW_HOOK(hook_name, true, "T&",           \
                          "it may change the row, and a const or by-value row would lose the change")
#define SYNCORM_DETAIL_AFTER_HOOK(hook_name)              \
  SYNCORM_DETAIL_ROW_HOOK(hook_name, false, "const T&",    \
                          "validate and after-hooks only look at the row; change it in a before-hook")

SYNCORM_DETAIL_BEFORE_HOOK(before_validate)
SYNCORM_DETAIL_AFTER_HOOK(validate)
SYNCORM_DETAIL_BEFORE_HOOK(before_save)
SYNCORM_DETAIL_BEFORE_HOOK(before_create)
SYNCORM_DETAIL_BEFORE_HOOK(before_update)
SYNCORM_DETAIL_BEFORE_HOOK(before_destroy)
SYNCORM_DETAIL_AFTER_HOOK(after_create)
SYNCORM_DETAIL_AFTER_HOOK(after_update)
SYNCORM_DETAIL_AFTER_HOOK(after_destroy)
SYNCORM_DETAIL_AFTER_HOOK(after_save)
SYNCORM_DETAIL_HOOK_NAME(after_commit)
#undef SYNCORM_DETAIL_AFTER_HOOK
#undef SYNCORM_DETAIL_BEFORE_HOOK
#undef SYNCORM_DETAIL_ROW_HOOK
#undef SYNCORM_DETAIL_HOOK_NAME

/// How hooks<T> declares `Hook`: absent, (row) or (row, transaction). Checked once, on first use:
/// a declared hook syncorm cannot call is a compile error, never silently skipped.
template <class Hook, class T, class Transaction>
struct hook_signature {
  using user_hooks = syncorm::hooks<T>;
  /// The row as the hook receives it: mutable for before-hooks, const for the others.
  using row = std::conditional_t<Hook::changes_row, T, const T>;
  using other_row = std::conditional_t<Hook::changes_row, const T, T>;

  static constexpr bool takes_transaction = Hook::template callable<user_hooks, row, Transaction>;
  static constexpr bool takes_row = Hook::template callable<user_hooks, row>;
  static constexpr bool takes_other_row = Hook::template callable<user_hooks, other_row, Transaction> ||
                                          Hook::template callable<user_hooks, other_row>;
  // A before-hook that also accepts a const row would drop its change; an after-hook that accepts
  // only a mutable row wants to change what is already written.
  static constexpr bool wrong_constness =
      Hook::changes_row ? takes_other_row : !(takes_transaction || takes_row) && takes_other_row;
  static constexpr bool uncallable =
      !wrong_constness && !(takes_transaction || takes_row) && Hook::template declared<user_hooks>;

  static constexpr bool present = !wrong_constness && (takes_transaction || takes_row);
  static constexpr bool with_transaction = present && takes_transaction;
  static constexpr bool checked = true;
  // Instantiating the rules is what reports a wrong declaration. Last, and no value depends on it:
  // after a failed assertion clang reads what depends on it as invalid, and would report errors of
  // its own about the hook's calls.
  static_assert(sizeof(typename Hook::template rules<T, wrong_constness, uncallable>) > 0);
};

/// after_commit takes the event, never a transaction: the transaction is over when it runs.
template <class T>
struct after_commit_signature {
  using user_hooks = syncorm::hooks<T>;
  static constexpr bool present = after_commit_name::callable<user_hooks, const event<T>>;
  static_assert(present || !after_commit_name::declared<user_hooks>,
                "syncorm: hooks<T>::after_commit has a signature syncorm cannot call; declare it as "
                "`static void after_commit(const syncorm::event<T>& e)`: it runs after the "
                "transaction is over, so it takes the event alone");
  static constexpr bool checked = true;
};

template <class T>
inline constexpr bool has_after_commit = after_commit_signature<T>::present;

/// Runs one hook if the model declares it; compiles to nothing otherwise.
template <class Hook, class T, class Transaction>
inline void run_hook(T& row, Transaction& tx) {
  using signature = hook_signature<Hook, T, Transaction>;
  typename signature::row& hook_row = row;
  if constexpr (signature::with_transaction) Hook::template call<syncorm::hooks<T>>(hook_row, tx);
  else if constexpr (signature::present) Hook::template call<syncorm::hooks<T>>(hook_row);
}

/// Hooks that run together, in order.
template <class... Hooks>
struct hook_list {
  template <class T, class Transaction>
  static constexpr bool all_checked = (hook_signature<Hooks, T, Transaction>::checked && ...);
  template <class T, class Transaction>
  static constexpr bool any_present = (hook_signature<Hooks, T, Transaction>::present || ...);
  template <class T, class Transaction>
  static constexpr bool any_taking_transaction =
      (hook_signature<Hooks, T, Transaction>::with_transaction || ...);

  template <class T, class Transaction>
  static void run(T& row, Transaction& tx) {
    // Checked first so that a model without these hooks instantiates nothing more.
    if constexpr (any_present<T, Transaction>) (run_hook<Hooks>(row, tx), ...);
  }
};

/// The hooks around each kind of write: those before the statement and those after it.
template <change Kind>
struct write_hooks;
template <>
struct write_hooks<change::created> {
  using before = hook_list<before_validate_hook, validate_hook, before_save_hook, before_create_hook>;
  using after = hook_list<after_create_hook, after_save_hook>;
};
template <>
struct write_hooks<change::updated> {
  using before = hook_list<before_validate_hook, validate_hook, before_save_hook, before_update_hook>;
  using after = hook_list<after_update_hook, after_save_hook>;
};
template <>
struct write_hooks<change::destroyed> {
  using before = hook_list<before_destroy_hook>;
  using after = hook_list<after_destroy_hook>;
};

/// Every hook's signature, checked on any write of T (a wrong hook is reported even where it
/// would not run, such as before_save on a model that is only ever destroyed). Always true: a
/// wrong declaration is reported by the static_assert that names it, as one error.
template <class T, class Transaction>
inline constexpr bool valid_hooks =
    hook_list<before_validate_hook, validate_hook, before_save_hook, before_create_hook,
              before_update_hook, before_destroy_hook, after_create_hook, after_update_hook,
              after_destroy_hook, after_save_hook>::all_checked<T, Transaction> &&
    after_commit_signature<T>::checked;

/// Whether a write of T must run inside a transaction of its own when the caller has none: when a
/// hook can fail after the statement ran, can write other rows, or waits for the commit.
template <change Kind, class T, class Transaction>
inline constexpr bool write_needs_transaction =
    valid_hooks<T, Transaction> &&
    (write_hooks<Kind>::after::template any_present<T, Transaction> ||
     write_hooks<Kind>::before::template any_taking_transaction<T, Transaction> || has_after_commit<T>);

/// Whether any hook runs around a write of T (update_where / remove_where then read rows first).
template <change Kind, class T, class Transaction>
inline constexpr bool has_write_hooks = write_needs_transaction<Kind, T, Transaction> ||
                                        write_hooks<Kind>::before::template any_present<T, Transaction>;

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
    entries_.grow_to(count_ + 1);  // first: if it throws, nothing is allocated yet
    entries_[count_] = entry{new event<T>{kind, row}, &invoke<T>, &destroy<T>};
    ++count_;
  }

  [[nodiscard]] std::size_t size() const noexcept { return count_; }

  /// Drops the events queued after `mark` (their savepoint rolled back).
  void truncate(std::size_t mark) noexcept {
    while (count_ > mark) {
      --count_;
      entries_[count_].destroy(entries_[count_].payload);
    }
  }

  /// Runs and drops every queued event in order. All run even if one throws; the first exception
  /// is rethrown afterwards (the data is already committed, so the others must still be told).
  void run_all() {
    // Taken out first: events that the hooks queue go to a fresh queue.
    growing_array<entry> ready = std::move(entries_);
    const std::size_t count = std::exchange(count_, 0);
    std::exception_ptr first_failure;
    for (std::size_t i = 0; i < count; ++i) {
      try {
        ready[i].invoke(ready[i].payload);
      } catch (...) {
        if (!first_failure) first_failure = std::current_exception();
      }
      ready[i].destroy(ready[i].payload);
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

  growing_array<entry> entries_;  // the first count_ are queued
  std::size_t count_ = 0;
};

}  // namespace syncorm::detail
