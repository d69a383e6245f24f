# Runs a compiler command that must fail, with exactly one error, whose text matches EXPECT.
#   cmake -DCOMMAND=<arguments separated by |> -DEXPECT=<regex> -P check_compile_failure.cmake
# One error, not merely a failing build: a misuse should read as one sentence, not a page.
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
