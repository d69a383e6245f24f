# Fails if a header under DIRECTORY dispatches dynamically: a `virtual` function or a
# `std::function`. Comments are left out, so that a comment may still say why neither is used.
#   cmake -DDIRECTORY=<folder of headers> -P check_no_dynamic_dispatch.cmake
file(GLOB_RECURSE headers "${DIRECTORY}/*.hpp" "${DIRECTORY}/*.h")
if(NOT headers)
  message(FATAL_ERROR "no headers under ${DIRECTORY}")
endif()
set(offenders "")
foreach(header IN LISTS headers)
  file(READ "${header}" text)
  string(REGEX REPLACE "//[^\n]*" "" code "${text}")
  string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" "" code "${code}")
  if(code MATCHES "(^|[^A-Za-z0-9_])(virtual|std::function)([^A-Za-z0-9_]|$)")
    list(APPEND offenders "${header}: ${CMAKE_MATCH_2}")
  endif()
endforeach()
if(offenders)
  list(JOIN offenders "\n  " listed)
  message(FATAL_ERROR "dynamic dispatch in headers (hooks, statements and sinks are resolved at "
                      "compile time):\n  ${listed}")
endif()
list(LENGTH headers count)
message(STATUS "${count} headers, no virtual function and no std::function")
