#pragma once
// syncorm::cluster: one or more write sources and any number of read sources (replicas) behind the
// data API of a database. Each statement goes to a read or a write source by its kind, decided at
// compile time; policies, given as template parameters, pick among sources and keep a session's
// reads after its own writes.
//
//   using shop = syncorm::cluster<syncorm::postgres::database,
//       syncorm::read_selection<syncorm::round_robin>, syncorm::read_your_writes<syncorm::wal_position>>;
//   shop db{syncorm::cluster_settings{.writes = {"host=... port=5432"}, .reads = {"... 5433", {"... 5434", 3}}}};
//   db.insert(o);                      // a write source
//   db.find<Order>(id);                // a read source
//   auto s = db.session(user_id);      // reads after this session's writes see them
//   auto w = db.intent_for("POST");    // this thread's statements through db go to write sources
//
// Thread-safe: many threads share one cluster, each statement on a pooled connection of its own.
// Read connections are opened read-only, so a write can never land on a replica.

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "cluster/data_source.hpp"
#include "cluster/policies.hpp"
#include "cluster/pool.hpp"
#include "cluster/routed_operations.hpp"
#include "cluster/selection.hpp"
#include "cluster/sticky_store.hpp"
#include "cluster/wal.hpp"
#include "core/session.hpp"
#include "error.hpp"

namespace syncorm {

/// How a cluster is built.
struct cluster_settings {
  /// Where writes go (PostgreSQL: the primary; SQLite: the database file). At least one.
  std::vector<data_source> writes{};
  /// Where reads go (PostgreSQL: replicas). Empty: reads go to the write sources (SQLite: read-only
  /// connections to the write sources' files).
  std::vector<data_source> reads{};
  /// Connections per source at most (SQLite: per read source; its file has one writer).
  std::size_t pool_size = 4;
  /// sticky_window: how long a session's reads stay on the write source after it wrote.
  std::chrono::milliseconds sticky_for{3000};
  /// Sessions whose state the in-process sticky store keeps at most.
  std::size_t sticky_sessions = 100'000;
  /// Where a store shared between processes keeps sessions' state (for
  /// sticky_store<syncorm::redis_sticky_store>: "redis://host:port"); unused by the in-process store.
  std::string shared_sticky_store{};
  /// A source that failed is out of rotation this long, doubled with each failure in a row...
  std::chrono::milliseconds retry_after{250};
  /// ... up to this.
  std::chrono::milliseconds max_retry_after{10'000};
};

template <class Cluster>
class cluster_session;

namespace detail {

/// Which cluster this thread's statements follow a write intent for (intent_for).
struct intent_state {
  const void* cluster = nullptr;
  bool writes = false;
};
inline intent_state& current_intent() noexcept {
  thread_local intent_state state;
  return state;
}

/// Calls f(db), then after(); returns what f returned (void included).
template <class F, class Database, class After>
decltype(auto) call_then(F& f, Database& db, After&& after) {
  if constexpr (std::is_void_v<std::invoke_result_t<F&, Database&>>) {
    f(db);
    after();
  } else {
    decltype(auto) result = f(db);
    after();
    return result;
  }
}

/// Whether an HTTP method changes things (its statements go to write sources): POST, PUT, PATCH
/// and DELETE, and anything unknown, to be safe. GET, HEAD, OPTIONS and TRACE read.
constexpr bool method_writes(std::string_view method) noexcept {
  auto is = [&](std::string_view name) {
    if (method.size() != name.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
      const char c = method[i] >= 'a' && method[i] <= 'z' ? static_cast<char>(method[i] - 'a' + 'A') : method[i];
      if (c != name[i]) return false;
    }
    return true;
  };
  return !(is("GET") || is("HEAD") || is("OPTIONS") || is("TRACE"));
}

}  // namespace detail

/// A scope in which this thread's statements through one cluster follow an HTTP method's intent:
/// for POST, PUT, PATCH and DELETE every statement, reads included, goes to a write source; for GET
/// and HEAD reads go to read sources (writes always go to a write source). Scopes nest.
class intent_scope {
public:
  intent_scope(const void* cluster, bool writes) noexcept : previous_(detail::current_intent()) {
    detail::current_intent() = {cluster, writes};
  }
  ~intent_scope() { detail::current_intent() = previous_; }
  intent_scope(const intent_scope&) = delete;
  intent_scope& operator=(const intent_scope&) = delete;

  /// Whether this scope sends reads to write sources.
  [[nodiscard]] bool writes() const noexcept { return detail::current_intent().writes; }

private:
  detail::intent_state previous_;
};

/// A group of write and read sources of one backend (syncorm::sqlite::database or
/// syncorm::postgres::database), with its policies. Offers the whole data API of a database.
template <class Backend, class... Policies>
class cluster : public detail::routed_operations<cluster<Backend, Policies...>> {
  using policies = detail::cluster_policies<Policies...>;
  using pool = detail::connection_pool<Backend>;
  static constexpr bool is_sqlite = detail::dialect_of<Backend>::name == "sqlite";
  static constexpr bool by_wal_position = std::is_same_v<typename policies::read_your_writes, wal_position>;
  static_assert(!by_wal_position || detail::dialect_of<Backend>::name == "postgresql",
                "syncorm::wal_position needs PostgreSQL (it compares WAL positions); use sticky_window");

public:
  /// The database type each source is reached with.
  using backend = Backend;
  /// The transaction transaction() hands its callback.
  using transaction_type = typename Backend::transaction_type;
  /// A session: the data API, reading its own writes.
  using session_type = cluster_session<cluster>;

  /// A cluster of the given sources (connections are opened as they are needed).
  explicit cluster(cluster_settings settings)
      : settings_(std::move(settings)), store_(make_store(settings_)) {
    if (settings_.writes.empty()) throw error("syncorm: a cluster needs at least one write source");
    if (is_sqlite && settings_.reads.empty()) settings_.reads = settings_.writes;  // read-only connections
    for (const data_source& s : settings_.writes)
      write_pools_.push_back(std::make_unique<pool>(s.conninfo(), typename Backend::options{},
                                                    is_sqlite ? 1 : settings_.pool_size));
    typename Backend::options read_only{};
    read_only.read_only = true;
    for (const data_source& s : settings_.reads)
      read_pools_.push_back(std::make_unique<pool>(s.conninfo(), read_only, settings_.pool_size));
    replayed_ = std::make_unique<std::atomic<std::uint64_t>[]>(settings_.reads.size());
    // A SQLite file must exist (and be in WAL mode) before read-only connections can open it.
    if constexpr (is_sqlite) {
      [[maybe_unused]] const auto first = write_pools_.front()->acquire();
    }
  }

  cluster(const cluster&) = delete;
  cluster& operator=(const cluster&) = delete;

  /// A session for `key` (a user id, a session cookie: anything the caller has). `token`, from
  /// session_type::token() in this or another process, carries earlier writes' state over.
  session_type session(std::string_view key, std::string_view token = {}) { return session_type{*this, key, token}; }

  /// A scope in which this thread's statements through this cluster follow `method`'s intent.
  [[nodiscard]] intent_scope intent_for(std::string_view method) noexcept {
    return intent_scope{this, detail::method_writes(method)};
  }

  /// The write sources, with their health.
  [[nodiscard]] std::span<const data_source> write_sources() const noexcept { return settings_.writes; }
  /// The read sources, with their health.
  [[nodiscard]] std::span<const data_source> read_sources() const noexcept { return settings_.reads; }

  /// Runs `f(database)` on a write source (how features reach the cluster's primary).
  template <class F>
  decltype(auto) on_write_source(F&& f) {
    return write_on(f, [](std::size_t, Backend&) {});
  }
  /// Runs `f(database)` on a read source, or a write source within a write intent.
  template <class F>
  decltype(auto) on_read_source(F&& f) {
    return read_on(f, nullptr);
  }

private:
  friend class cluster_session<cluster>;

  /// A source chosen by `policy` among `sources`, checked: an index out of range or a source out of
  /// rotation falls back to the first source in rotation; sources.size() when none is.
  template <class Policy>
  static std::size_t pick(Policy& policy, std::span<const data_source> sources) {
    const std::size_t chosen = policy(sources);
    if (chosen < sources.size() && sources[chosen].healthy()) return chosen;
    return detail::next_healthy(sources, 0);
  }

  using store_type = typename policies::store;
  static store_type make_store(const cluster_settings& settings) {
    if constexpr (shared_sticky_store<store_type>) return store_type(settings.sticky_sessions, settings.shared_sticky_store);
    else return store_type(settings.sticky_sessions);
  }

  void failed(data_source& source, pool& connections) {
    detail::source_health::failed(source, settings_.retry_after, settings_.max_retry_after);
    connections.drain();
  }

  /// Runs f on a write source; `wrote(index, database)` runs after it succeeded. A source that cannot
  /// be connected to is passed over for the next one; a connection lost while f ran fails the call
  /// (a write may have taken effect).
  template <class F, class Wrote>
  decltype(auto) write_on(F& f, Wrote&& wrote) {
    const std::size_t n = settings_.writes.size();
    for (std::size_t attempt = 0;; ++attempt) {
      const std::size_t i = pick(write_selection_, settings_.writes);
      if (i >= n)
        throw connection_error("syncorm: no write source of the cluster is up (the last error is in the "
                               "data sources' health)");
      std::optional<typename pool::lease> lease;
      try {
        lease.emplace(write_pools_[i]->acquire());
      } catch (const connection_error&) {
        failed(settings_.writes[i], *write_pools_[i]);
        if (attempt + 1 < n) continue;
        throw;
      }
      try {
        return detail::call_then(f, **lease, [&] {
          detail::source_health::worked(settings_.writes[i]);
          wrote(i, **lease);
        });
      } catch (const connection_error&) {
        lease->discard();
        failed(settings_.writes[i], *write_pools_[i]);
        throw;
      }
    }
  }

  /// Runs f on write source `index` if it is up, else on any write source.
  template <class F>
  decltype(auto) on_write_source_at(std::size_t index, F& f) {
    if (index < settings_.writes.size() && settings_.writes[index].healthy()) {
      std::optional<typename pool::lease> lease;
      try {
        lease.emplace(write_pools_[index]->acquire());
        return f(**lease);
      } catch (const connection_error&) {
        if (lease) lease->discard();
        failed(settings_.writes[index], *write_pools_[index]);
      }
    }
    return write_on(f, [](std::size_t, Backend&) {});
  }

  /// Runs f on a read source, trying the others, then a write source, when one cannot be reached.
  /// `state`: the session's read-your-writes state, or null.
  template <class F>
  decltype(auto) read_on(F& f, const read_your_writes_state* state) {
    const detail::intent_state& intent = detail::current_intent();
    if (intent.cluster == this && intent.writes) return on_write_source(f);
    if (state != nullptr) {
      if constexpr (by_wal_position) {
        if (state->wal_position != 0) return read_replayed(f, state->wal_position);
      } else {
        if (state->sticky_until > unix_milliseconds()) return on_write_source_at(state->write_source, f);
      }
    }
    const std::size_t n = settings_.reads.size();
    for (std::size_t attempt = 0; attempt < n; ++attempt) {
      const std::size_t i = pick(read_selection_, settings_.reads);
      if (i >= n) break;
      std::optional<typename pool::lease> lease;
      try {
        lease.emplace(read_pools_[i]->acquire());
        return detail::call_then(f, **lease, [&] { detail::source_health::worked(settings_.reads[i]); });
      } catch (const connection_error&) {
        if (lease) lease->discard();
        failed(settings_.reads[i], *read_pools_[i]);
      }
    }
    return on_write_source(f);  // no read source answers: a write source does
  }

  /// wal_position: a read source that has replayed `position` (asked when what is known of it is
  /// behind), else a write source.
  template <class F>
  decltype(auto) read_replayed(F& f, std::uint64_t position) {
    const std::size_t n = settings_.reads.size();
    const std::size_t chosen = pick(read_selection_, settings_.reads);
    for (std::size_t k = 0; chosen < n && k < n; ++k) {
      const std::size_t i = (chosen + k) % n;
      if (!settings_.reads[i].healthy()) continue;
      // The chosen source is asked; the others are used only if already known to have caught up.
      if (k > 0 && replayed_[i].load(std::memory_order_relaxed) < position) continue;
      std::optional<typename pool::lease> lease;
      try {
        lease.emplace(read_pools_[i]->acquire());
        if (replayed_[i].load(std::memory_order_relaxed) < position) {
          const std::optional<std::uint64_t> replayed =
              detail::wal_position_of<detail::replayed_wal_position_shape>(**lease);
          // NULL: not a replica (a primary listed as a read source), so it has every write.
          note_replayed(i, replayed.value_or(~std::uint64_t{0}));
          if (replayed_[i].load(std::memory_order_relaxed) < position) continue;
        }
        return detail::call_then(f, **lease, [&] { detail::source_health::worked(settings_.reads[i]); });
      } catch (const connection_error&) {
        if (lease) lease->discard();
        failed(settings_.reads[i], *read_pools_[i]);
      }
    }
    return on_write_source(f);
  }

  void note_replayed(std::size_t source, std::uint64_t position) noexcept {
    std::uint64_t known = replayed_[source].load(std::memory_order_relaxed);
    while (known < position && !replayed_[source].compare_exchange_weak(known, position, std::memory_order_relaxed)) {
    }
  }

  /// After a session's write on write source `index`: what its reads must see from now on.
  void wrote_for_session(std::size_t index, Backend& db, std::string_view key, read_your_writes_state& state) {
    read_your_writes_state now{};
    std::int64_t remember_until = 0;
    if constexpr (by_wal_position) {
      now.wal_position = detail::wal_position_of<detail::current_wal_position_shape>(db).value_or(0);
      remember_until = unix_milliseconds() + 10 * settings_.sticky_for.count();
    } else {
      now.write_source = static_cast<std::uint32_t>(index);
      now.sticky_until = unix_milliseconds() + settings_.sticky_for.count();
      remember_until = now.sticky_until;
    }
    state.merge(now);
    if (!key.empty()) store_.remember(key, state, remember_until);
  }

  cluster_settings settings_;
  std::vector<std::unique_ptr<pool>> write_pools_;
  std::vector<std::unique_ptr<pool>> read_pools_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> replayed_;  // per read source: WAL replayed, as last seen
  typename policies::read read_selection_{};
  typename policies::write write_selection_{};
  typename policies::store store_;
};

/// A cluster session: the cluster's data API for one key (a user, a request's cookie), whose reads
/// see its own writes (the cluster's read_your_writes policy). Cheap to make; one per request.
template <class Cluster>
class cluster_session : public detail::routed_operations<cluster_session<Cluster>> {
public:
  /// A session for `key`, carrying over the state of `token` (empty: none).
  cluster_session(Cluster& cluster, std::string_view key, std::string_view token)
      : cluster_(&cluster), key_(key) {
    if (!token.empty()) state_.merge(parse_token(token));
  }

  /// This session's read-your-writes state as text, for a cookie: given to session(key, token) in
  /// another process, that session's reads see this one's writes.
  [[nodiscard]] std::string token() const {
    refresh();
    return "ryw1." + std::to_string(state_.write_source) + "." + std::to_string(state_.sticky_until) + "." +
           std::to_string(state_.wal_position);
  }

  /// The state as it stands (for inspection and tests).
  [[nodiscard]] const read_your_writes_state& state() const noexcept { return state_; }

  /// Runs f on a write source and records what the session's reads must see.
  template <class F>
  decltype(auto) on_write_source(F&& f) {
    return cluster_->write_on(f, [&](std::size_t index, typename Cluster::backend& db) {
      cluster_->wrote_for_session(index, db, key_, state_);
    });
  }
  /// Runs f on a source that has this session's writes.
  template <class F>
  decltype(auto) on_read_source(F&& f) {
    refresh();
    return cluster_->read_on(f, &state_);
  }

private:
  /// Takes in what other sessions of the same key in this process wrote.
  void refresh() const {
    if (key_.empty()) return;
    if (auto remembered = cluster_->store_.recall(key_)) state_.merge(*remembered);
  }

  static read_your_writes_state parse_token(std::string_view token) {
    read_your_writes_state state;
    std::string_view rest = token;
    auto field = [&](auto& out) {
      const auto [end, failure] = std::from_chars(rest.data(), rest.data() + rest.size(), out);
      if (failure != std::errc{}) return false;
      rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
      if (!rest.empty() && rest.front() == '.') rest.remove_prefix(1);
      return true;
    };
    const bool ok = rest.starts_with("ryw1.") && (rest.remove_prefix(5), true) && field(state.write_source) &&
                    field(state.sticky_until) && field(state.wal_position) && rest.empty();
    if (!ok)
      throw error("syncorm: not a read-your-writes token made by cluster_session::token(): '" + std::string(token) + "'");
    return state;
  }

  Cluster* cluster_;
  std::string key_;
  mutable read_your_writes_state state_;
};

}  // namespace syncorm
