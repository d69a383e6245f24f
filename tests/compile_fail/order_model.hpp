#pragma once
// The model every compile-fail test misuses: the tests' Order (tests/support/models.hpp).
#include <syncorm/sqlite.hpp>

#include "../support/models.hpp"

using test_models::Order;
