# SyncormTestServers.cmake -- throwaway servers (PostgreSQL, RabbitMQ, Redis) as CTest fixtures.
#
#   include(SyncormTestServers)
#
#   syncorm_add_server_fixture(<fixture> SERVER postgres|rabbitmq|redis STATE_DIR <dir>
#                              [ARGS <start options>...] [TIMEOUT <seconds>])
#
#     Adds the tests <fixture>_start (FIXTURES_SETUP) and <fixture>_stop (FIXTURES_CLEANUP), which
#     run cmake/test_servers/<server>.sh start/stop on <dir> (relative to CMAKE_CURRENT_BINARY_DIR).
#     ARGS go to `start` (PostgreSQL: --replicas <n> --apply-delay <ms>).
#
#   syncorm_use_server_fixture(<fixture> TESTS <test>... [SERIAL])
#
#     Makes the tests require the fixture and sets in their environment
#       SYNCORM_<SERVER>_STATE_DIR      where `start` wrote what the tests read (a conninfo, a URL)
#       SYNCORM_<SERVER>_SERVER_SCRIPT  the script, for "<script> kill|stop-server|start-server|restart <dir> [process]"
#     with <SERVER> = PG, RABBITMQ or REDIS. SERIAL adds RESOURCE_LOCK <fixture>: use it for tests
#     that stop or kill their server (or give them a fixture of their own).
#
# The scripts share one mechanism, cmake/test_servers/lib.sh; their headers say what each writes.

include_guard(GLOBAL)

set(SYNCORM_TEST_SERVERS_DIR "${CMAKE_CURRENT_LIST_DIR}/test_servers" CACHE INTERNAL "syncorm's throwaway-server scripts")
find_program(SYNCORM_BASH_EXECUTABLE NAMES bash DOC "bash, which runs the throwaway-server scripts")

function(syncorm_add_server_fixture fixture)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "SERVER;STATE_DIR;TIMEOUT" "ARGS")
  if(arg_UNPARSED_ARGUMENTS OR NOT arg_STATE_DIR OR NOT arg_SERVER MATCHES "^(postgres|rabbitmq|redis)$")
    message(FATAL_ERROR "usage: syncorm_add_server_fixture(<fixture> SERVER postgres|rabbitmq|redis STATE_DIR <dir> "
                        "[ARGS <start options>...] [TIMEOUT <seconds>])")
  endif()
  get_property(taken GLOBAL PROPERTY "SYNCORM_SERVER_FIXTURE_${fixture}_STATE_DIR" SET)
  if(taken)
    message(FATAL_ERROR "syncorm_add_server_fixture: fixture '${fixture}' is already defined")
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 180)
  endif()
  get_filename_component(state_dir "${arg_STATE_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  set(script "${SYNCORM_TEST_SERVERS_DIR}/${arg_SERVER}.sh")
  add_test(NAME "${fixture}_start" COMMAND "${SYNCORM_BASH_EXECUTABLE}" "${script}" start "${state_dir}" ${arg_ARGS})
  set_tests_properties("${fixture}_start" PROPERTIES FIXTURES_SETUP "${fixture}" TIMEOUT "${arg_TIMEOUT}"
                                                     LABELS "server_fixture")
  add_test(NAME "${fixture}_stop" COMMAND "${SYNCORM_BASH_EXECUTABLE}" "${script}" stop "${state_dir}")
  set_tests_properties("${fixture}_stop" PROPERTIES FIXTURES_CLEANUP "${fixture}" TIMEOUT 120 LABELS "server_fixture")
  set_property(GLOBAL PROPERTY "SYNCORM_SERVER_FIXTURE_${fixture}_STATE_DIR" "${state_dir}")
  set_property(GLOBAL PROPERTY "SYNCORM_SERVER_FIXTURE_${fixture}_SERVER" "${arg_SERVER}")
endfunction()

function(syncorm_use_server_fixture fixture)
  cmake_parse_arguments(PARSE_ARGV 1 arg "SERIAL" "" "TESTS")
  get_property(state_dir GLOBAL PROPERTY "SYNCORM_SERVER_FIXTURE_${fixture}_STATE_DIR")
  get_property(server GLOBAL PROPERTY "SYNCORM_SERVER_FIXTURE_${fixture}_SERVER")
  if(arg_UNPARSED_ARGUMENTS OR NOT state_dir)
    message(FATAL_ERROR "syncorm_use_server_fixture: unknown fixture '${fixture}' (add it with "
                        "syncorm_add_server_fixture first) or bad arguments")
  endif()
  set(prefix_postgres PG)
  set(prefix_rabbitmq RABBITMQ)
  set(prefix_redis REDIS)
  set(prefix "${prefix_${server}}")
  # ENVIRONMENT is a list: escape ';' in paths.
  string(REPLACE ";" "\\;" state_dir_env "${state_dir}")
  string(REPLACE ";" "\\;" script_env "${SYNCORM_TEST_SERVERS_DIR}/${server}.sh")
  foreach(test IN LISTS arg_TESTS)
    set_property(TEST "${test}" APPEND PROPERTY FIXTURES_REQUIRED "${fixture}")
    set_property(TEST "${test}" APPEND PROPERTY ENVIRONMENT
                 "SYNCORM_${prefix}_STATE_DIR=${state_dir_env}" "SYNCORM_${prefix}_SERVER_SCRIPT=${script_env}")
    if(arg_SERIAL)
      set_property(TEST "${test}" APPEND PROPERTY RESOURCE_LOCK "${fixture}")
    endif()
  endforeach()
endfunction()
