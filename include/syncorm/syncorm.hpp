#pragma once
// syncorm: a header-only C++20 ORM for plain structs. This umbrella header is the core (models,
// queries, hooks, events, errors); include <syncorm/sqlite.hpp> or <syncorm/postgres.hpp> for a
// backend.

#include "error.hpp"    // IWYU pragma: export
#include "event.hpp"    // IWYU pragma: export
#include "hooks.hpp"    // IWYU pragma: export
#include "query.hpp"    // IWYU pragma: export
#include "reflect.hpp"  // IWYU pragma: export
#include "schema.hpp"   // IWYU pragma: export
#include "version.hpp"  // IWYU pragma: export
