#pragma once
/// Include in exactly one source file of a program built with SYNCORM_SEPARATE_COMPILATION defined:
/// it defines the functions the other files then only declare (see README, "Compile time").

#if !defined(SYNCORM_SEPARATE_COMPILATION)
#error "<syncorm/src.hpp> is for programs built with SYNCORM_SEPARATE_COMPILATION defined in every file; without it, syncorm is header-only and needs no source file"
#endif

#include "sync/payload_parser.hpp"
