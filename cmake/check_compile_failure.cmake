# Runs a compiler command that must fail, with exactly one error, whose text matches EXPECT.
#   cmake -DCOMMAND=<arguments separated by |> -DEXPECT=<regex> [-DEXPECT_TYPE=<regex>]
#         [-DCHECK_TYPE_LINE=OFF] -P check_compile_failure.cmake
# One error, not merely a failing build: a misuse should read as one sentence, not a page.
# EXPECT_TYPE, when given, must match the error's first line: the first line after the "In file
# included from" chain (GCC's "In instantiation of '...'" line, which shows the template arguments
# that carry the user's types) or else the error line itself. A name found only further down the
# "required from" chain does not count: that is where a reader of a long error gives up.
# CHECK_TYPE_LINE=OFF (for clang, whose first line names the failed requirement, with the user's type
# in the notes under it) skips the first-line rule; the one-error rule holds for every compiler.
string(REPLACE "|" ";" COMMAND "${COMMAND}")
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(output "${out}${err}")
if(result EQUAL 0)
  message(FATAL_ERROR "compiled, but must not:\n${output}")
endif()
if(NOT output MATCHES "${EXPECT}")
  message(FATAL_ERROR "failed without the expected message '${EXPECT}':\n${output}")
endif()
string(REGEX MATCHALL "error:" errors "${output}")
list(LENGTH errors count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "expected exactly one error, got ${count}:\n${output}")
endif()
if(NOT EXPECT_TYPE STREQUAL "" AND NOT CHECK_TYPE_LINE STREQUAL "OFF")
  # Lines, with the list separator escaped so that brackets and semicolons in them survive.
  string(REPLACE ";" "\\;" escaped "${output}")
  string(REPLACE "\n" ";" lines "${escaped}")
  set(first_line "")
  set(error_line "")
  foreach(line IN LISTS lines)
    if(first_line STREQUAL "" AND NOT line MATCHES "^In file included from " AND NOT line MATCHES "^ +from ")
      set(first_line "${line}")
    endif()
    if(line MATCHES "error:")
      set(error_line "${line}")
      break()
    endif()
  endforeach()
  if(NOT first_line MATCHES "${EXPECT_TYPE}" AND NOT error_line MATCHES "${EXPECT_TYPE}")
    message(FATAL_ERROR "the error's first line does not name '${EXPECT_TYPE}':\n  ${first_line}\n  ${error_line}\n"
                        "whole output:\n${output}")
  endif()
endif()
