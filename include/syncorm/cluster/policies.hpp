#pragma once
// A cluster's policies, given as template parameters in any order, each with a default:
//   read_selection<P>    which read source a read goes to (default: random)
//   write_selection<P>   which write source a write goes to (default: random)
//   read_your_writes<P>  how a session reads its own writes: sticky_window (default) or wal_position
//   sticky_store<S>      where sessions' read-your-writes state is kept (default: in this process)

#include <type_traits>

#include "selection.hpp"
#include "sticky_store.hpp"

namespace syncorm {

/// Read-your-writes by stickiness (every backend): after a session writes, its reads go to the write
/// source it wrote to for cluster_settings::sticky_for.
struct sticky_window {};

/// Read-your-writes by WAL position (PostgreSQL): after a session writes, its reads go to a read
/// source that has replayed that write, and to the write source while none has.
struct wal_position {};

/// The read selection policy of a cluster.
template <class P>
struct read_selection {
  static_assert(selection_policy<P>,
                "syncorm::read_selection<P>: P must be default-constructible and callable as "
                "std::size_t operator()(std::span<const syncorm::data_source>)");
  using policy = P;
};

/// The write selection policy of a cluster.
template <class P>
struct write_selection {
  static_assert(selection_policy<P>,
                "syncorm::write_selection<P>: P must be default-constructible and callable as "
                "std::size_t operator()(std::span<const syncorm::data_source>)");
  using policy = P;
};

/// The read-your-writes policy of a cluster: sticky_window or wal_position.
template <class P>
struct read_your_writes {
  static_assert(std::is_same_v<P, sticky_window> || std::is_same_v<P, wal_position>,
                "syncorm::read_your_writes takes syncorm::sticky_window or syncorm::wal_position");
  using policy = P;
};

/// Where a cluster keeps sessions' read-your-writes state.
template <class S>
struct sticky_store {
  static_assert(sticky_store_policy<S>,
                "syncorm::sticky_store<S>: S must be constructible from a capacity (or a capacity and an address) and offer "
                "remember(key, state, expires) and recall(key) -> std::optional<read_your_writes_state>");
  using policy = S;
};

namespace detail {

template <class P, template <class> class Wrapper>
struct is_wrapped_by : std::false_type {};
template <class P, template <class> class Wrapper>
struct is_wrapped_by<Wrapper<P>, Wrapper> : std::true_type {};

template <class P>
inline constexpr bool is_cluster_policy =
    is_wrapped_by<P, read_selection>::value || is_wrapped_by<P, write_selection>::value ||
    is_wrapped_by<P, read_your_writes>::value || is_wrapped_by<P, sticky_store>::value;

/// The policy a wrapper holds, or a stand-in when the wrapper refuses it: the wrapper's assertion is
/// then the one error, and the cluster compiles on with the stand-in. (Not the wrapper's own
/// `policy`: after a failed assertion clang reads a class's members as int, and would go on to
/// report errors about that.)
template <class Wrapped>
struct accepted_policy;
template <class P>
struct accepted_policy<read_selection<P>> {
  using type = std::conditional_t<selection_policy<P>, P, syncorm::random>;
};
template <class P>
struct accepted_policy<write_selection<P>> {
  using type = std::conditional_t<selection_policy<P>, P, syncorm::random>;
};
template <class P>
struct accepted_policy<read_your_writes<P>> {
  using type = std::conditional_t<std::is_same_v<P, wal_position>, wal_position, sticky_window>;
};
template <class S>
struct accepted_policy<sticky_store<S>> {
  using type = std::conditional_t<sticky_store_policy<S>, S, in_process_sticky_store>;
};

/// The policy wrapped by `Wrapper` among `Policies`, or `Default`. (Only a match is looked into, so
/// that a policy given unwrapped is reported once, by cluster_policies.)
template <template <class> class Wrapper, class Default, class... Policies>
struct chosen_policy {
  using type = Default;
};
template <template <class> class Wrapper, class Default, class First, class... Rest>
struct chosen_policy<Wrapper, Default, First, Rest...> : chosen_policy<Wrapper, Default, Rest...> {};
template <template <class> class Wrapper, class Default, class P, class... Rest>
struct chosen_policy<Wrapper, Default, Wrapper<P>, Rest...> {
  using type = typename accepted_policy<Wrapper<P>>::type;
  // Instantiates the wrapper, whose static_assert says what is wrong with P.
  static_assert(sizeof(Wrapper<P>) > 0);
};

template <template <class> class Wrapper, class... Policies>
inline constexpr int count_wrapped = (0 + ... + (is_wrapped_by<Policies, Wrapper>::value ? 1 : 0));

/// The checked set of a cluster's policies. The choices come before the checks: after a failed
/// static_assert clang drops the members that follow it, and would report each use of one.
template <class... Policies>
struct cluster_policies {
  using read = typename chosen_policy<read_selection, syncorm::random, Policies...>::type;
  using write = typename chosen_policy<write_selection, syncorm::random, Policies...>::type;
  using read_your_writes = typename chosen_policy<syncorm::read_your_writes, sticky_window, Policies...>::type;
  using store = typename chosen_policy<sticky_store, in_process_sticky_store, Policies...>::type;
  static_assert((is_cluster_policy<Policies> && ...),
                "syncorm::cluster takes policies wrapped as read_selection<P>, write_selection<P>, "
                "read_your_writes<sticky_window or wal_position> or sticky_store<S>");
  static_assert(count_wrapped<read_selection, Policies...> <= 1 && count_wrapped<write_selection, Policies...> <= 1 &&
                    count_wrapped<syncorm::read_your_writes, Policies...> <= 1 && count_wrapped<sticky_store, Policies...> <= 1,
                "syncorm::cluster: give each kind of policy at most once");
};

}  // namespace detail
}  // namespace syncorm
