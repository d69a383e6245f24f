#pragma once
// What check_no_dynamic_dispatch.cmake must let through: comments that say why there is no
// virtual function and no std::function here.

/* Nor in a block comment: a virtual call, a
   std::function. */
struct square {
  int side = 0;
};
