// The one file of a program built with SYNCORM_SEPARATE_COMPILATION that defines what the other
// files then only declare (compile_cost.py measures ten_models.cpp built that way, and this file).
#include <syncorm/src.hpp>
