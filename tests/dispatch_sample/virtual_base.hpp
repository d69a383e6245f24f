#pragma once
// What check_no_dynamic_dispatch.cmake must catch.

struct shape {
  virtual ~shape() = default;
};
