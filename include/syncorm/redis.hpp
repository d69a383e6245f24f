#pragma once
// Redis for syncorm (hiredis; link syncorm::redis): the cache's second level, shared by every
// process of the application, with the stale-fill guard as an atomic script and deletes published
// to every process's memory level; and the router's sticky store shared between instances of the
// application (syncorm::redis_sticky_store).
//
//   #include <syncorm/cache.hpp>
//   #include <syncorm/redis.hpp>
//   syncorm::cached<shop> db{settings, syncorm::cache_settings{.redis = "redis://127.0.0.1:6379"}};
//   using shared = syncorm::cluster<syncorm::postgres::database, syncorm::sticky_store<syncorm::redis_sticky_store>>;
//   shared app{syncorm::cluster_settings{..., .shared_sticky_store = "redis://127.0.0.1:6379"}};
//
// Including this header is what makes cache_settings::redis usable: it registers the level with
// the cache (which cannot name an optional library) before main.

#include "cache.hpp"
#include "redis/cache_level.hpp"
#include "redis/sticky_store.hpp"

namespace syncorm::detail::redis {

/// Registers the Redis level with the cache; run once per program, before main.
inline const bool cache_level_registered = [] {
  redis_level_factory() = &make_cache_level;
  return true;
}();

}  // namespace syncorm::detail::redis
