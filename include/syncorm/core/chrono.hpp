#pragma once
// std::chrono's clocks, durations and time points, without the rest of <chrono>.
//
// In C++20 mode libstdc++'s <chrono> also brings the calendar, time zones and their formatting,
// and with them <sstream> (<istream>, <ostream>, locales): a large share of the compile time of
// every translation unit that includes syncorm, for nothing syncorm uses. <bits/chrono.h> is the part syncorm does use
// (system_clock, durations, time_point, floor, time_point_cast, sys_time). Other standard
// libraries get the standard header.
#include <version>  // defines __GLIBCXX__ when the standard library is libstdc++

#if defined(__GLIBCXX__) && __has_include(<bits/chrono.h>)
#include <bits/chrono.h>
#else
#include <chrono>
#endif
