// expect: <syncorm/src.hpp> is for programs built with SYNCORM_SEPARATE_COMPILATION defined in every file
// A header-only build (the default) has nothing for src.hpp to define: including it is a mistake in
// the build set-up, said as such, not a page of duplicate-symbol errors at link time.
#ifndef SYNCORM_EXPECT_FAILURE
#define SYNCORM_SEPARATE_COMPILATION
#endif
#include <syncorm/src.hpp>

int main() {}
