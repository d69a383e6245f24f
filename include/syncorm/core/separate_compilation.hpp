#pragma once
// syncorm is header-only: by default every function is defined in the headers, and a file compiles
// what it uses. A few functions are not templates yet cost much to compile (Boost.JSON's parser,
// instantiated for the payload reader, is the largest); a program with many files that apply sync
// events compiles them in each. Defining SYNCORM_SEPARATE_COMPILATION (for every file of the program)
// leaves those functions declared only, and the one file that includes <syncorm/src.hpp> defines
// them, as Boost.Asio and Boost.JSON do for theirs.

#if defined(SYNCORM_SEPARATE_COMPILATION)
/// A function compiled once, in the file that includes <syncorm/src.hpp>.
#define SYNCORM_OUT_OF_LINE
#else
/// A function defined in the headers, compiled in each file that uses it.
#define SYNCORM_OUT_OF_LINE inline
#endif
