// With SYNCORM_SEPARATE_COMPILATION, the one file of the program that defines what the others declare.
#include <syncorm/src.hpp>
