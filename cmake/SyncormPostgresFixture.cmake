# SyncormPostgresFixture.cmake -- throwaway PostgreSQL server(s) as a CTest fixture.
#
#   include(SyncormPostgresFixture)
#
#   syncorm_add_postgres_fixture(<fixture_name>
#       STATE_DIR <dir>            # relative paths are relative to CMAKE_CURRENT_BINARY_DIR
#       [REPLICAS <n>]             # streaming hot-standby replicas (default 0)
#       [APPLY_DELAY <ms>]         # recovery_min_apply_delay of the replicas (default 0): real lag
#       [TIMEOUT <seconds>])       # timeout of the start test (default 120)
#
#     Adds the tests <fixture_name>_start (FIXTURES_SETUP <fixture_name>) and
#     <fixture_name>_stop (FIXTURES_CLEANUP <fixture_name>), which run
#     postgres_test_server.sh start/stop on <dir>.
#
#   syncorm_use_postgres_fixture(<fixture_name> TESTS <test>... [SERIAL])
#
#     Makes the tests require the fixture and sets in their environment
#       SYNCORM_PG_STATE_DIR=<dir>          (read $SYNCORM_PG_STATE_DIR/primary.conninfo,
#                                            replica<i>.conninfo, env)
#       SYNCORM_PG_SERVER_SCRIPT=<script>   (e.g. "<script> restart <dir>")
#     The tests must already exist and, before CMake 3.28, be defined in the
#     same directory as this call.  SERIAL adds RESOURCE_LOCK <fixture_name>, so
#     those tests do not run concurrently with each other (use it for tests
#     that restart or stop the server; or give such tests their own fixture).
#
# The variable SYNCORM_PG_SERVER_SCRIPT holds the absolute path of the script.

include_guard(GLOBAL)

set(SYNCORM_PG_SERVER_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/postgres_test_server.sh"
    CACHE INTERNAL "syncorm PostgreSQL test server script")

find_program(SYNCORM_BASH_EXECUTABLE NAMES bash DOC "bash, used to run the PostgreSQL test server script")

function(syncorm_add_postgres_fixture fixture_name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "STATE_DIR;REPLICAS;APPLY_DELAY;TIMEOUT" "")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "syncorm_add_postgres_fixture: unexpected arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_STATE_DIR)
    message(FATAL_ERROR "syncorm_add_postgres_fixture(${fixture_name}): STATE_DIR is required")
  endif()
  if(NOT DEFINED arg_REPLICAS OR arg_REPLICAS STREQUAL "")
    set(arg_REPLICAS 0)
  endif()
  if(NOT arg_REPLICAS MATCHES "^[0-9]+$")
    message(FATAL_ERROR "syncorm_add_postgres_fixture(${fixture_name}): REPLICAS must be a non-negative integer, got '${arg_REPLICAS}'")
  endif()
  if(NOT arg_APPLY_DELAY)
    set(arg_APPLY_DELAY 0)
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 120)
  endif()
  if(NOT SYNCORM_BASH_EXECUTABLE)
    message(FATAL_ERROR "syncorm_add_postgres_fixture: bash not found")
  endif()
  get_property(already GLOBAL PROPERTY "SYNCORM_PG_FIXTURE_${fixture_name}_STATE_DIR" SET)
  if(already)
    message(FATAL_ERROR "syncorm_add_postgres_fixture: fixture '${fixture_name}' is already defined")
  endif()

  get_filename_component(state_dir "${arg_STATE_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")

  add_test(NAME "${fixture_name}_start"
           COMMAND "${SYNCORM_BASH_EXECUTABLE}" "${SYNCORM_PG_SERVER_SCRIPT}"
                   start "${state_dir}" --replicas "${arg_REPLICAS}" --apply-delay "${arg_APPLY_DELAY}")
  set_tests_properties("${fixture_name}_start" PROPERTIES
    FIXTURES_SETUP "${fixture_name}"
    TIMEOUT "${arg_TIMEOUT}"
    LABELS "postgres_fixture")

  add_test(NAME "${fixture_name}_stop"
           COMMAND "${SYNCORM_BASH_EXECUTABLE}" "${SYNCORM_PG_SERVER_SCRIPT}" stop "${state_dir}")
  set_tests_properties("${fixture_name}_stop" PROPERTIES
    FIXTURES_CLEANUP "${fixture_name}"
    TIMEOUT 120
    LABELS "postgres_fixture")

  set_property(GLOBAL PROPERTY "SYNCORM_PG_FIXTURE_${fixture_name}_STATE_DIR" "${state_dir}")
endfunction()

function(syncorm_use_postgres_fixture fixture_name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "SERIAL" "" "TESTS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "syncorm_use_postgres_fixture: unexpected arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  get_property(state_dir GLOBAL PROPERTY "SYNCORM_PG_FIXTURE_${fixture_name}_STATE_DIR")
  if(NOT state_dir)
    message(FATAL_ERROR "syncorm_use_postgres_fixture: unknown fixture '${fixture_name}' "
                        "(call syncorm_add_postgres_fixture(${fixture_name} ...) first)")
  endif()
  # ENVIRONMENT is a list: escape ';' in paths.
  string(REPLACE ";" "\\;" state_dir_env "${state_dir}")
  string(REPLACE ";" "\\;" script_env "${SYNCORM_PG_SERVER_SCRIPT}")
  foreach(test IN LISTS arg_TESTS)
    set_property(TEST "${test}" APPEND PROPERTY FIXTURES_REQUIRED "${fixture_name}")
    set_property(TEST "${test}" APPEND PROPERTY ENVIRONMENT
                 "SYNCORM_PG_STATE_DIR=${state_dir_env}"
                 "SYNCORM_PG_SERVER_SCRIPT=${script_env}")
    if(arg_SERIAL)
      set_property(TEST "${test}" APPEND PROPERTY RESOURCE_LOCK "${fixture_name}")
    endif()
  endforeach()
endfunction()
